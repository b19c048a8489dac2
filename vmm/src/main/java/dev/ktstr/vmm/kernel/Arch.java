package dev.ktstr.vmm.kernel;

/** Host architectures ktstr builds kernels for, with the arch-specific boot image location. */
public enum Arch {
    X86_64("x86_64", "x86", "bzImage"),
    AARCH64("aarch64", "arm64", "Image");

    private final String id;
    private final String srcArch;
    private final String imageName;

    Arch(String id, String srcArch, String imageName) {
        this.id = id;
        this.srcArch = srcArch;
        this.imageName = imageName;
    }

    /** Name used in cache keys and metadata ({@code x86_64}, {@code aarch64}). */
    public String id() {
        return id;
    }

    /** Compressed boot image file name ({@code bzImage} / {@code Image}). */
    public String imageName() {
        return imageName;
    }

    /** Image path relative to a kernel source tree, e.g. {@code arch/x86/boot/bzImage}. */
    public String treeImagePath() {
        return "arch/" + srcArch + "/boot/" + imageName;
    }

    public static Arch host() {
        String a = System.getProperty("os.arch", "");
        return switch (a) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> throw new KernelException("unsupported host architecture '" + a + "': ktstr builds kernels for x86_64 and aarch64");
        };
    }
}

package dev.ktstr.vmm.initramfs;

/**
 * Compression of the cached base archive (the per-run suffix is always plain cpio). Under TCG an
 * uncompressed cpio boots fastest because guest-side decompression dominates (vm-boot-probe §5);
 * the kernel config has RD_GZIP and RD_LZ4 for the other two.
 */
public enum InitramfsCompression {
    NONE(".cpio"),
    GZIP(".cpio.gz"),
    /** The LZ4 legacy frame (magic 0x184C2102, 8 MiB blocks) that the kernel's unlz4 expects; not the LZ4 frame format. */
    LZ4_LEGACY(".cpio.lz4");

    private final String suffix;

    InitramfsCompression(String suffix) {
        this.suffix = suffix;
    }

    public String fileSuffix() {
        return suffix;
    }
}

package dev.ktstr.vmm.monitor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * The kernel the monitor ITs run against ({@code KTSTR_TEST_KERNEL}: a directory with vmlinux,
 * System.map, vmlinux.btf, config, or the vmlinux itself with those files beside it), and a
 * busybox initramfs. ITs fail, never skip, when it is missing.
 */
public final class TestKernel {
    private TestKernel() {}

    public static Path dir() {
        String v = System.getenv("KTSTR_TEST_KERNEL");
        if (v == null || v.isBlank()) {
            throw new AssertionError("monitor ITs need a kernel: set KTSTR_TEST_KERNEL to a kernel cache entry or directory holding "
                    + "vmlinux, System.map and vmlinux.btf (a sched_ext kernel built by `ktstr kernel build`)");
        }
        Path p = Path.of(v);
        Path d = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent();
        for (String f : List.of("vmlinux", "System.map", "vmlinux.btf")) {
            if (!Files.isRegularFile(d.resolve(f))) {
                throw new AssertionError("KTSTR_TEST_KERNEL=" + v + ": " + d.resolve(f) + " is missing (the monitor needs vmlinux, System.map and vmlinux.btf together)");
            }
        }
        return d;
    }

    public static Path vmlinux() {
        return dir().resolve("vmlinux");
    }

    public static Path systemMap() {
        return dir().resolve("System.map");
    }

    public static Path btf() {
        return dir().resolve("vmlinux.btf");
    }

    public static Optional<Path> config() {
        Path c = dir().resolve("config");
        return Files.isRegularFile(c) ? Optional.of(c) : Optional.empty();
    }

    static final String PRELUDE = "#!/bin/busybox sh\n/bin/busybox --install -s /bin\nexport PATH=/bin\n"
            + "mount -t proc proc /proc\nmount -t sysfs sysfs /sys\nmount -t devtmpfs devtmpfs /dev\n"
            + "exec 0</dev/console 1>/dev/console 2>&1\necho KTSTR_INIT_STARTED\n";

    /** A busybox initramfs whose /init runs {@code body} after mounting proc/sys/dev. */
    public static Path initramfs(Path dir, String body) throws IOException {
        return initramfs(dir, body, java.util.Map.of());
    }

    /** The kernel's sched_ext scheduler binaries ({@code scx/} next to vmlinux), with the libraries they link. */
    public static java.util.Map<String, Path> scxFiles(String... schedulers) {
        java.util.Map<String, Path> m = new java.util.LinkedHashMap<>();
        for (String s : schedulers) {
            Path bin = dir().resolve("scx").resolve(s);
            if (!Files.isRegularFile(bin)) throw new AssertionError(bin + " is missing: the test kernel directory needs scx/" + s);
            m.put("bin/" + s, bin);
        }
        for (String lib : List.of("libelf.so.1", "libz.so.1", "libc.so.6")) m.put("lib/x86_64-linux-gnu/" + lib, Path.of("/lib/x86_64-linux-gnu", lib));
        m.put("lib64/ld-linux-x86-64.so.2", Path.of("/lib64/ld-linux-x86-64.so.2"));
        return m;
    }

    /** Like {@link #initramfs(Path, String)}, plus host files at guest paths (symlinks followed). */
    public static Path initramfs(Path dir, String body, java.util.Map<String, Path> extra) throws IOException {
        Path bb = List.of("/bin/busybox", "/usr/bin/busybox").stream().map(Path::of).filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new AssertionError("VM tests need a static busybox at /bin/busybox (apt-get install busybox-static)"));
        Path out = dir.resolve("mon-initrd.cpio");
        try (OutputStream os = Files.newOutputStream(out);
             CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(os, CpioConstants.FORMAT_NEW)) {
            for (String d : List.of("bin", "proc", "sys", "dev", "tmp", "lib", "lib/x86_64-linux-gnu", "lib64")) {
                CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, d);
                e.setMode(CpioConstants.C_ISDIR | 0755);
                e.setNumberOfLinks(2);
                cpio.putArchiveEntry(e);
                cpio.closeArchiveEntry();
            }
            file(cpio, "bin/busybox", Files.readAllBytes(bb));
            file(cpio, "init", (PRELUDE + body).getBytes(StandardCharsets.UTF_8));
            for (var e : extra.entrySet()) file(cpio, e.getKey(), Files.readAllBytes(e.getValue()));
        }
        return out;
    }

    private static void file(CpioArchiveOutputStream cpio, String name, byte[] data) throws IOException {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
        e.setMode(CpioConstants.C_ISREG | 0755);
        e.setSize(data.length);
        e.setNumberOfLinks(1);
        cpio.putArchiveEntry(e);
        cpio.write(data);
        cpio.closeArchiveEntry();
    }
}

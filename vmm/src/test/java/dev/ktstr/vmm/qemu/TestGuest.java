package dev.ktstr.vmm.qemu;

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
 * Test-only guest: a busybox initramfs with a given /init script, written with commons-compress
 * so the vmm tests do not depend on the initramfs builder.
 */
final class TestGuest {
    private TestGuest() {}

    /** The kernel under test; VM tests fail (never skip) without one. */
    static Path kernel() {
        for (String env : List.of("KTSTR_TEST_KERNEL", "KTSTR_KERNEL")) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) {
                Path p = Path.of(v);
                if (Files.isDirectory(p)) p = p.resolve("vmlinux");
                if (!Files.isRegularFile(p)) throw new AssertionError(env + "=" + v + " does not name a kernel image (vmlinux or bzImage)");
                return p;
            }
        }
        throw new AssertionError("VM tests need a kernel: set KTSTR_TEST_KERNEL to a PVH vmlinux or bzImage with sched_ext "
                + "(e.g. one built by `ktstr kernel build`)");
    }

    static Path busybox() {
        Optional<Path> bb = List.of("/bin/busybox", "/usr/bin/busybox").stream().map(Path::of).filter(Files::isRegularFile).findFirst();
        return bb.orElseThrow(() -> new AssertionError("VM tests need a static busybox at /bin/busybox (apt-get install busybox-static)"));
    }

    static final String PRELUDE = "#!/bin/busybox sh\n/bin/busybox --install -s /bin\nexport PATH=/bin\n"
            + "mount -t proc proc /proc\nmount -t sysfs sysfs /sys\nmount -t devtmpfs devtmpfs /dev\n"
            + "exec 0</dev/console 1>/dev/console 2>&1\necho KTSTR_INIT_STARTED\n"
            + "port_dev() { for p in /sys/class/virtio-ports/*; do [ \"$(cat $p/name)\" = \"$1\" ] && echo /dev/${p##*/}; done; }\n";

    static Path initramfs(Path dir, String initBody) throws IOException {
        return initramfsRaw(dir, PRELUDE + initBody);
    }

    /** An initramfs whose /init is exactly {@code init} (no prelude, so no start marker). */
    static Path initramfsRaw(Path dir, String init) throws IOException {
        Path out = dir.resolve("test-initrd-" + Integer.toHexString(init.hashCode()) + ".cpio");
        try (OutputStream os = Files.newOutputStream(out);
             CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(os, CpioConstants.FORMAT_NEW)) {
            for (String d : List.of("bin", "proc", "sys", "dev", "tmp")) {
                CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, d);
                e.setMode(CpioConstants.C_ISDIR | 0755);
                e.setNumberOfLinks(2);
                cpio.putArchiveEntry(e);
                cpio.closeArchiveEntry();
            }
            file(cpio, "bin/busybox", Files.readAllBytes(busybox()));
            file(cpio, "init", init.getBytes(StandardCharsets.UTF_8));
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

    /** Processes whose command line mentions {@code marker} (our VMs' temp paths are unique). */
    static List<ProcessHandle> qemuProcessesMentioning(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("qemu-system") && c.contains(marker)).orElse(false))
                .toList();
    }
}

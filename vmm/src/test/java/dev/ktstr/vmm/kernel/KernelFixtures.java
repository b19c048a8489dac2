package dev.ktstr.vmm.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builders for fake kernels, trees and cache entries used by the kernel unit tests. */
final class KernelFixtures {
    private KernelFixtures() {}

    static final String FRAGMENT_TEXT = String.join("\n",
            "CONFIG_SCHED_CLASS_EXT=y", "CONFIG_DEBUG_INFO_BTF=y", "CONFIG_BPF_SYSCALL=y", "CONFIG_FTRACE=y",
            "CONFIG_KPROBE_EVENTS=y", "CONFIG_BPF_EVENTS=y", "CONFIG_PVH=y", "CONFIG_VIRTIO_CONSOLE=y",
            "CONFIG_VIRTIO_MMIO=y", "CONFIG_SERIAL_8250_CONSOLE=y", "CONFIG_CPUSETS=y", "");
    static final KconfigFragment FRAGMENT = new KconfigFragment(FRAGMENT_TEXT);
    static final byte[] ELF_HEADER = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};

    static Path write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text);
    }

    static Path writeBytes(Path p, byte[] data) throws IOException {
        Files.createDirectories(p.getParent());
        return Files.write(p, data);
    }

    static String config(String version, boolean schedExt, boolean pvh) {
        return "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 " + version + " Kernel Configuration\n#\n"
                + (schedExt ? "CONFIG_SCHED_CLASS_EXT=y\n" : "# CONFIG_SCHED_CLASS_EXT is not set\n")
                + (pvh ? "CONFIG_PVH=y\n" : "");
    }

    /** A valid cache entry written the way KernelCache.Staging would (through the real commit path). */
    static CacheEntry storeEntry(KernelCache cache, String key, String version, Instant builtAt, KconfigFragment frag) throws IOException {
        try (EntryLock l = cache.lock(key); KernelCache.Staging st = cache.beginStore(key)) {
            Path d = st.dir();
            writeBytes(d.resolve("vmlinux"), ELF_HEADER);
            write(d.resolve("bzImage"), "bz-" + key);
            write(d.resolve("System.map"), "ffffffff81000000 T _text\n");
            write(d.resolve("vmlinux.btf"), "btf");
            write(d.resolve("config"), config(version, true, true));
            write(d.resolve("scx/scx_simple"), "#!/bin/sh\n").toFile().setExecutable(true);
            return st.commit(metadata(version, builtAt, frag.hash()));
        }
    }

    static KernelMetadata metadata(String version, Instant builtAt, String kc) {
        return new KernelMetadata(KernelMetadata.CURRENT_SCHEMA, version, new KernelSourceInfo.Tarball("/usr/src/x.tar.xz"),
                "x86_64", "bzImage", "vmlinux", "cafebabe", builtAt.toString(), kc, true, true, 100,
                List.of("scx_simple"), Map.of(), 10, 3300);
    }

    /** A kernel source tree with a built image (and optionally .config). */
    static Path tree(Path dir, String config) throws IOException {
        write(dir.resolve("Makefile"), "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 3\nEXTRAVERSION =\n");
        write(dir.resolve("Kconfig"), "");
        write(dir.resolve("arch/x86/boot/bzImage"), "bz");
        writeBytes(dir.resolve("vmlinux"), ELF_HEADER);
        write(dir.resolve("System.map"), "map");
        if (config != null) write(dir.resolve(".config"), config);
        return dir;
    }
}

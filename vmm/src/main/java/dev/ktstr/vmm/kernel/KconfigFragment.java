package dev.ktstr.vmm.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel config fragment ktstr applies on top of {@code defconfig + kvm_guest.config}. It is embedded in the
 * jar (copied from the repository's {@code ktstr.kconfig} at build time) so every installation computes the same
 * hash; the hash is part of every cache key, so editing the fragment invalidates cached kernels.
 */
public record KconfigFragment(String text) {

    static final String RESOURCE = "/dev/ktstr/vmm/kernel/ktstr.kconfig";

    public static KconfigFragment embedded() {
        try (InputStream in = KconfigFragment.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new KernelException("the kconfig fragment " + RESOURCE + " is missing from the ktstr jar: rebuild ktstr (mvn package)");
            }
            return new KconfigFragment(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static KconfigFragment of(Path file) {
        try {
            return new KconfigFragment(Files.readString(file));
        } catch (IOException e) {
            throw new KernelException("cannot read kconfig fragment " + file + ": " + e.getMessage(), e);
        }
    }

    /** CRC-32 of the fragment text, 8 lower-case hex digits (the {@code kc} suffix of cache keys). */
    public String hash() {
        return Hashes.crc32Hex(text);
    }
}

package dev.ktstr.protocol.job;

import java.util.Objects;

/**
 * The kernel a job boots: a human label (e.g. {@code 6.12.0-ktstr}) plus the digests of its
 * image, BTF and System.map artifacts. {@code imageSha256} is what workers advertise as "cached
 * kernels", so placement can prefer a worker that already holds the kernel. Digests may be null
 * for a job whose executor finds the kernel itself (the fake backend).
 */
public record KernelRef(String label, String imageSha256, String btfSha256, String systemMapSha256)
        implements CborSerializable {
    public KernelRef {
        Objects.requireNonNull(label, "kernel label");
    }

    public static KernelRef labelOnly(String label) {
        return new KernelRef(label, null, null, null);
    }
}

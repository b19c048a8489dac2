package dev.ktstr.cluster;

/** Refusal to expose the cluster port beyond loopback without TLS and a shared secret. */
public final class InsecureBindException extends IllegalArgumentException {
    public InsecureBindException(String message) {
        super(message);
    }
}

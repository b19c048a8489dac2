package dev.ktstr.cluster;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * HMAC-SHA256 tokens under the cluster's shared secret. Every message between coordinator and
 * worker carries one, computed over a label naming the message kind and the fields that matter
 * (node, job id, attempt, ...). A node without the secret can neither feed results or phases to
 * the coordinator nor pose as the coordinator to a worker; and because each token covers its
 * message's fields, a token a rogue node sees (a worker's {@code RequestWork} sent to a rogue that
 * registered the coordinator key) cannot be replayed as a result.
 *
 * <p>A null or empty secret signs nothing and accepts everything: only actor unit tests use that;
 * every production path has a secret (local mode a random one per run).
 */
public final class AuthToken {
    private AuthToken() {
    }

    /** Worker {@code node} asks for work. */
    public static String request(String secret, String node) {
        return sign(secret, "request", node);
    }

    /** The jobs worker {@code node} says it holds (sorted, so the order they were listed in does not matter). */
    public static String held(String secret, String node, java.util.Collection<String> jobIds) {
        return sign(secret, "held", node, String.join(",", new java.util.TreeSet<>(jobIds)));
    }

    public static String phase(String secret, String node, String jobId, int attempt, String phase) {
        return sign(secret, "phase", node, jobId, Integer.toString(attempt), phase);
    }

    public static String result(String secret, String node, String jobId, int attempt, String status) {
        return sign(secret, "result", node, jobId, Integer.toString(attempt), status);
    }

    /** One part of a result too large for one message: covers where it goes and the whole payload's digest. */
    public static String resultPart(String secret, String node, String jobId, int attempt, long offset, long totalSize, String sha256) {
        return sign(secret, "result-part", node, jobId, Integer.toString(attempt), Long.toString(offset), Long.toString(totalSize), sha256);
    }

    public static String fetch(String secret, String node, String sha256, long offset) {
        return sign(secret, "fetch", node, sha256, Long.toString(offset));
    }

    /** What the coordinator presents on every message it sends to worker {@code node}. */
    public static String coordinator(String secret, String node) {
        return sign(secret, "coordinator", node);
    }

    /** A fresh random secret for a run whose nodes all live in one JVM (local mode). */
    public static String randomSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** HMAC over the parts, NUL-separated (no part can shift into its neighbour). */
    public static String sign(String secret, String... parts) {
        if (secret == null || secret.isEmpty()) return "";
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) mac.update((byte) 0);
                mac.update(String.valueOf(parts[i]).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
        }
    }

    /** Constant-time comparison of {@code token} with the expected one. */
    public static boolean check(String secret, String token, String expected) {
        if (secret == null || secret.isEmpty()) return true;
        if (token == null) return false;
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }
}

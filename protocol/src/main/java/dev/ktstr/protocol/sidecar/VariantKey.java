package dev.ktstr.protocol.sidecar;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A variant's identity inside a run and its sidecar file name
 * {@code {test_name}-{hash16}.ktstr.json}. The hash covers what makes two variants different
 * tests (test, topology, scheduler, payload, work type, sorted flags, sysctls and kargs, kernel
 * version) and excludes what only describes a result (commits, host, run source, timings, the
 * replica index), so a rerun of the same variant maps to the same name.
 */
public final class VariantKey {
    /** A file is a sidecar iff its name contains this and ends with ".json" (spec §8.1). */
    public static final String MARKER = ".ktstr.";
    public static final String SUFFIX = ".ktstr.json";

    private VariantKey() {}

    /** 16 hex digits of SHA-256 over the identity fields (the original used SipHash-1-3; no JDK SipHash). */
    public static String hash(Sidecar s) {
        List<String> parts = new ArrayList<>();
        parts.add(s.testName());
        parts.add(nz(s.topology()));
        parts.add(nz(s.scheduler()));
        parts.add(nz(s.payload()));
        parts.add(nz(s.workType()));
        parts.add(String.join(",", sorted(s.activeFlags())));
        parts.add(String.join(",", sorted(s.sysctls())));
        parts.add(String.join(",", sorted(s.kargs())));
        parts.add(nz(s.kernelVersion()));
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] d = md.digest(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /** {@code {test}-{hash16}.ktstr.json}; a replica adds {@code -r{k}}, so the replicas of a variant never overwrite each other. */
    public static String fileName(Sidecar s) {
        return safe(s.testName()) + "-" + hash(s) + (s.replica() == null ? "" : "-r" + s.replica()) + SUFFIX;
    }

    public static boolean isSidecarFileName(String name) {
        return name.contains(MARKER) && name.endsWith(".json") && !name.startsWith(".");
    }

    private static String safe(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return cleaned.length() > 120 ? cleaned.substring(0, 120) : cleaned;
    }

    private static List<String> sorted(List<String> l) {
        return l.stream().sorted().distinct().toList();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}

package dev.ktstr.protocol.job;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content-addressed file a job needs. Workers fetch it from the coordinator by {@code sha256},
 * verify size and digest, and only ever run what matches a hash the coordinator sent.
 */
public record ArtifactRef(String name, String sha256, long size, ArtifactRole role) implements CborSerializable {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ArtifactRef {
        Objects.requireNonNull(name, "artifact name");
        Objects.requireNonNull(role, "artifact role");
        Objects.requireNonNull(sha256, "artifact sha256");
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("artifact '" + name + "': sha256 must be 64 hex digits, got '" + sha256 + "'");
        }
        if (size < 0) {
            throw new IllegalArgumentException("artifact '" + name + "': size must be >= 0, got " + size);
        }
        // the name becomes a file name in the VM staging dir: no path tricks
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("artifact name '" + name + "' must be a plain file name (no '/', no control characters)");
        }
    }

    public static boolean isSha256(String s) {
        return s != null && SHA256.matcher(s).matches();
    }

    /** The digest an artifact is named by: the coordinator offers files by it and the worker checks fetched bytes against it. */
    public static String sha256Of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}

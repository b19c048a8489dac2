package dev.ktstr.cluster;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Results of any size across the cluster: a serialised result over {@link #INLINE_LIMIT} travels as
 * {@link ClusterProtocol.JobFinishedPart}s of {@link ClusterProtocol#CHUNK_BYTES}, the way artifacts
 * do; the receiver puts them back together with an {@link Assembly}. A part lost on the way leaves a
 * gap, which drops the assembly: the worker re-sends the whole result until it is acknowledged.
 */
public final class ResultParts {
    /** Serialised results up to this size go as one message (Artery's frame is 1 MiB, with headroom). */
    public static final int INLINE_LIMIT = 512 * 1024;
    /** A result larger than this is refused: the guest's and the worker's own caps keep real ones far below. */
    public static final long MAX_RESULT_BYTES = 256L * 1024 * 1024;

    private ResultParts() {}

    /** {@code payload} cut into {@link ClusterProtocol#CHUNK_BYTES} pieces, in order. */
    public static List<byte[]> split(byte[] payload) {
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < payload.length; off += ClusterProtocol.CHUNK_BYTES) {
            out.add(Arrays.copyOfRange(payload, off, Math.min(payload.length, off + ClusterProtocol.CHUNK_BYTES)));
        }
        return out;
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** One result being put back together; parts must arrive in order (a sender-receiver pair's messages do). */
    public static final class Assembly {
        private final long totalSize;
        private final String sha256;
        private final byte[] data;
        private int filled;

        /** @throws IllegalArgumentException for a size that is not 1..{@link #MAX_RESULT_BYTES} */
        public Assembly(long totalSize, String sha256) {
            if (totalSize <= 0 || totalSize > MAX_RESULT_BYTES) {
                throw new IllegalArgumentException("a result of " + totalSize + " bytes (allowed: 1.." + MAX_RESULT_BYTES + ")");
            }
            this.totalSize = totalSize;
            this.sha256 = sha256;
            this.data = new byte[(int) totalSize];
        }

        public boolean matches(long totalSize, String sha256) {
            return this.totalSize == totalSize && this.sha256.equals(sha256);
        }

        /** False when the part does not continue the assembly (a lost or repeated part): start again at offset 0. */
        public boolean add(long offset, byte[] part) {
            if (offset != filled || part == null || part.length == 0 || filled + (long) part.length > totalSize) return false;
            System.arraycopy(part, 0, data, filled, part.length);
            filled += part.length;
            return true;
        }

        public boolean complete() {
            return filled == totalSize;
        }

        /** The payload, once complete and matching its digest; null otherwise. */
        public byte[] payload() {
            return complete() && sha256(data).equals(sha256) ? data : null;
        }
    }
}

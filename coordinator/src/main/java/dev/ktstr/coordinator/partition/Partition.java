package dev.ktstr.coordinator.partition;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --partition hash:M/N}: CI shard M (1-based) of N keeps the variants whose name hashes to
 * bucket M-1. The bucket depends only on the variant's own name (first 8 bytes of its sha256,
 * unsigned, mod N), so adding or removing tests never moves another test to a different shard.
 */
public record Partition(int index, int count) {

    private static final Pattern SPEC = Pattern.compile("hash:(\\d{1,6})/(\\d{1,6})");

    public Partition {
        if (count < 1) throw new IllegalArgumentException("partition count must be >= 1, got " + count);
        if (index < 1 || index > count) {
            throw new IllegalArgumentException("partition index must be within 1.." + count + ", got " + index);
        }
    }

    public static Partition parse(String spec) {
        Matcher m = spec == null ? null : SPEC.matcher(spec.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("bad --partition '" + spec + "': expected hash:M/N with 1 <= M <= N, e.g. hash:2/4");
        }
        return new Partition(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** 0-based bucket of {@code variantName} among {@code count}. */
    public static int bucket(String variantName, int count) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(variantName.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) v = (v << 8) | (d[i] & 0xff);
            return (int) Long.remainderUnsigned(v, count);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    public boolean contains(String variantName) {
        return bucket(variantName, count) == index - 1;
    }

    public <T> List<T> filter(List<T> items, Function<T, String> variantName) {
        return items.stream().filter(t -> contains(variantName.apply(t))).toList();
    }

    @Override
    public String toString() {
        return "hash:" + index + "/" + count;
    }
}

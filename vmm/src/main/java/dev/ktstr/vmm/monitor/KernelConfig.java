package dev.ktstr.vmm.monitor;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/** A kernel {@code .config} as key/value pairs ({@code CONFIG_HZ -> 1000}). */
public record KernelConfig(Map<String, String> values, String source) {
    /** Used when neither the guest (IKCONFIG) nor a config file tells HZ (the spec's default). */
    public static final int DEFAULT_HZ = 250;

    public KernelConfig {
        values = Map.copyOf(values);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public int hz() {
        return get("CONFIG_HZ").map(Integer::parseInt).orElse(DEFAULT_HZ);
    }

    public boolean enabled(String key) {
        return get(key).map(v -> v.equals("y")).orElse(false);
    }

    public static KernelConfig parse(String text, String source) {
        Map<String, String> m = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new StringReader(text))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || !line.contains("=")) continue;
                int eq = line.indexOf('=');
                String v = line.substring(eq + 1);
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
                m.put(line.substring(0, eq), v);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new KernelConfig(m, source);
    }

    public static KernelConfig read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * The configuration embedded in the running guest kernel (CONFIG_IKCONFIG): the gzip blob
     * between {@code kernel_config_data} and {@code kernel_config_data_end}.
     */
    public static Optional<KernelConfig> fromGuest(KernelAddressSpace as, KernelSymbols syms) throws GuestMemoryException {
        var start = syms.address("kernel_config_data");
        var end = syms.address("kernel_config_data_end");
        if (start.isEmpty() || end.isEmpty()) return Optional.empty();
        long len = end.getAsLong() - start.getAsLong();
        if (len <= 0 || len > (16 << 20)) return Optional.empty();
        byte[] gz = as.read(start.getAsLong(), (int) len);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz));
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[65536];
            int n;
            while ((n = r.read(buf)) > 0) sb.append(buf, 0, n);
            return Optional.of(parse(sb.toString(), "guest IKCONFIG"));
        } catch (IOException e) {
            throw new GuestMemoryException("the guest's embedded kernel config (IKCONFIG) is not valid gzip: " + e.getMessage());
        }
    }
}

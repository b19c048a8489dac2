package dev.ktstr.results.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.protocol.metrics.MetricDef;
import dev.ktstr.protocol.metrics.MetricRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Gates for compare. Relative, in percent: per-metric from a policy file, then the policy's
 * {@code default_percent}, then a uniform {@code --threshold}, then the registry default. Absolute,
 * in the metric's unit: per-metric from the policy's {@code absolute}, else the registry default
 * (a short test's gaps never reach the registry's 500 ms; a policy can say what matters for it).
 * Policy file: {@code {"default_percent": 10, "metrics": {"worst_gap_ms": 30}, "absolute": {"worst_gap_ms": 20}}}.
 */
public record ThresholdPolicy(Map<String, Double> perMetricPercent, Double defaultPercent, Double uniformPercent,
                              Map<String, Double> perMetricAbsolute) {
    public ThresholdPolicy {
        perMetricPercent = Map.copyOf(perMetricPercent);
        perMetricAbsolute = perMetricAbsolute == null ? Map.of() : Map.copyOf(perMetricAbsolute);
    }

    public ThresholdPolicy(Map<String, Double> perMetricPercent, Double defaultPercent, Double uniformPercent) {
        this(perMetricPercent, defaultPercent, uniformPercent, Map.of());
    }

    public static ThresholdPolicy registryDefaults() {
        return new ThresholdPolicy(Map.of(), null, null);
    }

    public static ThresholdPolicy uniform(double percent) {
        checkPercent(percent, "--threshold");
        return new ThresholdPolicy(Map.of(), null, percent);
    }

    public static ThresholdPolicy load(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("policy " + file + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("policy " + file + ": expected an object like "
                    + "{\"default_percent\": 10, \"metrics\": {\"worst_gap_ms\": 30}}");
        }
        Double def = null;
        Map<String, Double> per = new HashMap<>();
        Map<String, Double> abs = new HashMap<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            JsonNode v = root.get(k);
            switch (k) {
                case "default_percent" -> def = number(file, k, v);
                case "metrics" -> perMetric(file, k, v, "percent", per);
                case "absolute" -> perMetric(file, k, v, "value in the metric's unit", abs);
                default -> throw new IllegalArgumentException("policy " + file + ": unknown key '" + k
                        + "' (known: default_percent, metrics, absolute)");
            }
        }
        return new ThresholdPolicy(per, def, null, abs);
    }

    private static void perMetric(Path file, String key, JsonNode v, String what, Map<String, Double> into) {
        if (!v.isObject()) {
            throw new IllegalArgumentException("policy " + file + ": \"" + key + "\" must be an object of name: " + what);
        }
        for (Iterator<String> m = v.fieldNames(); m.hasNext(); ) {
            String name = m.next();
            if (MetricRegistry.byName(name).isEmpty()) {
                throw new IllegalArgumentException("policy " + file + ": unknown metric '" + name + "' (see `ktstr stats list-metrics`)");
            }
            into.put(name, number(file, name, v.get(name)));
        }
    }

    /** The absolute gate of a metric, in its unit. */
    public double absThreshold(MetricDef m) {
        Double a = perMetricAbsolute.get(m.name());
        return a == null ? m.defaultAbs() : a;
    }

    /** The relative gate of a metric as a fraction (0.25 = 25 %). */
    public double relThreshold(MetricDef m) {
        Double p = perMetricPercent.get(m.name());
        if (p == null) {
            p = defaultPercent;
        }
        if (p == null) {
            p = uniformPercent;
        }
        return p == null ? m.defaultRel() : p / 100.0;
    }

    OptionalDouble uniform() {
        return uniformPercent == null ? OptionalDouble.empty() : OptionalDouble.of(uniformPercent);
    }

    private static double number(Path file, String key, JsonNode v) {
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException("policy " + file + ": '" + key + "' must be a number");
        }
        checkPercent(v.asDouble(), "policy " + file + " '" + key + "'");
        return v.asDouble();
    }

    private static void checkPercent(double p, String what) {
        if (!(p >= 0) || Double.isInfinite(p)) {
            throw new IllegalArgumentException(what + ": must be a number >= 0, got " + p);
        }
    }
}

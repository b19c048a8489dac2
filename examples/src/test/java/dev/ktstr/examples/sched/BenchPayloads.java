package dev.ktstr.examples.sched;

import dev.ktstr.scenario.Payload;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark binaries run as payloads (spec §1.4). Names are bare: a test lists the same name in
 * {@code @KtstrTest(extraIncludeFiles)}, the runner packs the host binary (with its libraries) at
 * {@code /include-files/<name>}, which is on the guest PATH.
 */
public final class BenchPayloads {
    private BenchPayloads() {}

    /** stress-ng (0.15: {@code --yaml FILE} is its machine-readable output). */
    public static final Payload STRESS_NG = Payload.of("stress-ng", "stress-ng", "--metrics-brief");

    /** rt-tests hackbench: prints {@code Time: SECONDS} on stdout. */
    public static final Payload HACKBENCH = Payload.of("hackbench", "hackbench");

    private static final Pattern STRESSOR = Pattern.compile("^\\s*-\\s*stressor:\\s*(\\S+)\\s*$");
    private static final Pattern NUMBER = Pattern.compile("^\\s+([a-z0-9-]+):\\s*(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)\\s*$");
    private static final Pattern HACKBENCH_TIME = Pattern.compile("(?m)^Time:\\s*([0-9.]+)\\s*$");

    /**
     * Numeric fields of the {@code metrics:} list in stress-ng's YAML report, keyed
     * {@code <stressor>.<field>} (e.g. {@code cpu.bogo-ops}). Hand-parsed (no YAML library on the
     * examples' classpath); the report is a fixed, flat layout.
     */
    public static Map<String, Double> stressNgMetrics(String yaml) {
        Map<String, Double> out = new LinkedHashMap<>();
        boolean inMetrics = false;
        String stressor = null;
        for (String line : yaml.split("\n")) {
            if (!line.startsWith(" ") && !line.startsWith("-")) {
                inMetrics = line.trim().equals("metrics:");
                stressor = null;
                continue;
            }
            if (!inMetrics) continue;
            Matcher s = STRESSOR.matcher(line);
            if (s.matches()) {
                stressor = s.group(1);
                continue;
            }
            Matcher n = NUMBER.matcher(line);
            if (stressor != null && n.matches()) out.put(stressor + "." + n.group(1), Double.parseDouble(n.group(2)));
        }
        return out;
    }

    /** hackbench's elapsed seconds, if its output has the {@code Time:} line. */
    public static OptionalDouble hackbenchSeconds(String output) {
        Matcher m = HACKBENCH_TIME.matcher(output);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }
}

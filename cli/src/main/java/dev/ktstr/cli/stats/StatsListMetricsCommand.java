package dev.ktstr.cli.stats;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ktstr.protocol.metrics.MetricDef;
import dev.ktstr.protocol.metrics.MetricRegistry;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list-metrics", mixinStandardHelpOptions = true,
        description = "The metrics compare gates on: polarity, absolute gate, default relative gate, unit.")
final class StatsListMetricsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "JSON array instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        if (json) {
            ArrayNode a = SidecarCodec.mapper().createArrayNode();
            for (MetricDef m : MetricRegistry.all()) {
                a.addObject().put("name", m.name()).put("polarity", m.polarity().label()).put("default_abs", m.defaultAbs())
                        .put("default_rel", m.defaultRel()).put("unit", m.unit()).put("description", m.description())
                        .put("from_histogram", m.fromHistogram());
            }
            out.println(a.toPrettyString());
            return 0;
        }
        String fmt = "%-34s %-7s %9s %8s  %-6s %s%n";
        out.printf(Locale.ROOT, fmt, "METRIC", "BETTER", "ABS", "REL", "UNIT", "DESCRIPTION");
        for (MetricDef m : MetricRegistry.all()) {
            out.printf(Locale.ROOT, fmt, m.name(), m.polarity().label(), trim(m.defaultAbs()),
                    trim(m.defaultRel() * 100) + "%", m.unit(), m.description());
        }
        return 0;
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}

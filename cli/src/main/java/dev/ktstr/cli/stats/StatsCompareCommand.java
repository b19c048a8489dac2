package dev.ktstr.cli.stats;

import dev.ktstr.results.LoadResult;
import dev.ktstr.results.stats.CompareEngine;
import dev.ktstr.results.stats.CompareOptions;
import dev.ktstr.results.stats.CompareReport;
import dev.ktstr.results.stats.CompareText;
import dev.ktstr.results.stats.Dimension;
import dev.ktstr.results.stats.HtmlReport;
import dev.ktstr.results.stats.SideFilter;
import dev.ktstr.results.stats.ThresholdPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ktstr stats compare}: exit 0 without regression, 1 with, 2 on bad input. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare side A against side B over every sidecar under the runs root (spec §8.4).",
                "Dimensions whose A and B filters differ are the slicing dimensions; the rest pair variants.",
                "Rows sharing a pairing key are averaged; wake-latency metrics come from merged histograms.",
                "Exit status: 0 no regression, 1 regression, 2 bad input."})
final class StatsCompareCommand implements Callable<Integer> {
    enum Format { table, json, html }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RunsDirOption runs;

    @Option(names = "--runs", arity = "2", paramLabel = "ID", description = "Shorthand: compare run A against run B.")
    List<String> runPair;

    @Option(names = "--kernel", paramLabel = "VER", description = "Filter both sides: kernel version; M.m matches every M.m.x.")
    List<String> kernel = new ArrayList<>();
    @Option(names = "--scheduler", paramLabel = "NAME", description = "Filter both sides: scheduler name (eevdf for the kernel default).")
    List<String> scheduler = new ArrayList<>();
    @Option(names = "--topology", paramLabel = "TOPO", description = "Filter both sides: topology label, e.g. 1n2l2c1t.")
    List<String> topology = new ArrayList<>();
    @Option(names = "--work-type", paramLabel = "TYPE", description = "Filter both sides: work type, e.g. CpuSpin.")
    List<String> workType = new ArrayList<>();
    @Option(names = "--project-commit", paramLabel = "REV", description = "Filter both sides: project commit: 7-hex (± -dirty) or git revision / A..B.")
    List<String> projectCommit = new ArrayList<>();
    @Option(names = "--kernel-commit", paramLabel = "HEX", description = "Filter both sides: kernel source commit, 7-hex.")
    List<String> kernelCommit = new ArrayList<>();
    @Option(names = "--run-source", paramLabel = "SRC", description = "Filter both sides: local, ci, merge or archive.")
    List<String> runSource = new ArrayList<>();
    @Option(names = "--flag", paramLabel = "FLAG", description = "Filter both sides: active scheduler flag; repeat: all must be active.")
    List<String> flag = new ArrayList<>();
    @Option(names = "--run", paramLabel = "ID", description = "Filter both sides: run id or unique prefix.")
    List<String> run = new ArrayList<>();
    @Option(names = "--a-kernel", paramLabel = "VER", description = "Filter side A (replaces the shared filter): kernel version; M.m matches every M.m.x.")
    List<String> aKernel = new ArrayList<>();
    @Option(names = "--a-scheduler", paramLabel = "NAME", description = "Filter side A (replaces the shared filter): scheduler name (eevdf for the kernel default).")
    List<String> aScheduler = new ArrayList<>();
    @Option(names = "--a-topology", paramLabel = "TOPO", description = "Filter side A (replaces the shared filter): topology label, e.g. 1n2l2c1t.")
    List<String> aTopology = new ArrayList<>();
    @Option(names = "--a-work-type", paramLabel = "TYPE", description = "Filter side A (replaces the shared filter): work type, e.g. CpuSpin.")
    List<String> aWorkType = new ArrayList<>();
    @Option(names = "--a-project-commit", paramLabel = "REV", description = "Filter side A (replaces the shared filter): project commit: 7-hex (± -dirty) or git revision / A..B.")
    List<String> aProjectCommit = new ArrayList<>();
    @Option(names = "--a-kernel-commit", paramLabel = "HEX", description = "Filter side A (replaces the shared filter): kernel source commit, 7-hex.")
    List<String> aKernelCommit = new ArrayList<>();
    @Option(names = "--a-run-source", paramLabel = "SRC", description = "Filter side A (replaces the shared filter): local, ci, merge or archive.")
    List<String> aRunSource = new ArrayList<>();
    @Option(names = "--a-flag", paramLabel = "FLAG", description = "Filter side A (replaces the shared filter): active scheduler flag; repeat: all must be active.")
    List<String> aFlag = new ArrayList<>();
    @Option(names = "--a-run", paramLabel = "ID", description = "Filter side A (replaces the shared filter): run id or unique prefix.")
    List<String> aRun = new ArrayList<>();
    @Option(names = "--b-kernel", paramLabel = "VER", description = "Filter side B (replaces the shared filter): kernel version; M.m matches every M.m.x.")
    List<String> bKernel = new ArrayList<>();
    @Option(names = "--b-scheduler", paramLabel = "NAME", description = "Filter side B (replaces the shared filter): scheduler name (eevdf for the kernel default).")
    List<String> bScheduler = new ArrayList<>();
    @Option(names = "--b-topology", paramLabel = "TOPO", description = "Filter side B (replaces the shared filter): topology label, e.g. 1n2l2c1t.")
    List<String> bTopology = new ArrayList<>();
    @Option(names = "--b-work-type", paramLabel = "TYPE", description = "Filter side B (replaces the shared filter): work type, e.g. CpuSpin.")
    List<String> bWorkType = new ArrayList<>();
    @Option(names = "--b-project-commit", paramLabel = "REV", description = "Filter side B (replaces the shared filter): project commit: 7-hex (± -dirty) or git revision / A..B.")
    List<String> bProjectCommit = new ArrayList<>();
    @Option(names = "--b-kernel-commit", paramLabel = "HEX", description = "Filter side B (replaces the shared filter): kernel source commit, 7-hex.")
    List<String> bKernelCommit = new ArrayList<>();
    @Option(names = "--b-run-source", paramLabel = "SRC", description = "Filter side B (replaces the shared filter): local, ci, merge or archive.")
    List<String> bRunSource = new ArrayList<>();
    @Option(names = "--b-flag", paramLabel = "FLAG", description = "Filter side B (replaces the shared filter): active scheduler flag; repeat: all must be active.")
    List<String> bFlag = new ArrayList<>();
    @Option(names = "--b-run", paramLabel = "ID", description = "Filter side B (replaces the shared filter): run id or unique prefix.")
    List<String> bRun = new ArrayList<>();

    @Option(names = "-E", paramLabel = "TEXT",
            description = "Only variants whose \"scenario topology scheduler work_type flags\" contains TEXT.")
    String pattern;

    @Option(names = "--no-average", description = "Keep rows distinct; error when a side has duplicates of a variant.")
    boolean noAverage;

    @Option(names = "--min-replicas", paramLabel = "N", defaultValue = "4",
            description = "Passing samples each side needs per variant for a noise estimate (replicas, or runs averaged);"
                    + " with it a change must also pass a Mann-Whitney U test, else it is \"within noise\". Default: ${DEFAULT-VALUE}"
                    + " (below 4 per side no change can reach p < 0.05).")
    int minReplicas;

    @Option(names = "--alpha", paramLabel = "P", defaultValue = "0.05",
            description = "Significance level of the noise test (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--threshold", paramLabel = "PCT", description = "Uniform relative gate in percent for every metric.")
    Double threshold;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "JSON {\"default_percent\": P, \"metrics\": {name: P}, \"absolute\": {name: V}}: relative gates"
                    + " in percent, absolute gates in the metric's unit.")
    Path policy;

    @Option(names = "--format", defaultValue = "table", description = "table, json or html (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the report here instead of stdout.")
    Path output;

    @Option(names = "--all", description = "Table: show metrics within their gates too.")
    boolean all;

    @Option(names = "--no-color", description = "No ANSI colours.")
    boolean noColor;

    @Override
    public Integer call() {
        return Cli.guard(spec, () -> {
            if (threshold != null && policy != null) {
                throw new IllegalArgumentException("--threshold and --policy are mutually exclusive: put the uniform "
                        + "percentage into the policy as default_percent");
            }
            ThresholdPolicy gates = policy != null ? ThresholdPolicy.load(policy)
                    : threshold != null ? ThresholdPolicy.uniform(threshold) : ThresholdPolicy.registryDefaults();
            SideFilter shared = filter(false, "");
            SideFilter a = filter(true, "a");
            SideFilter b = filter(true, "b");
            if (runPair != null) {
                if (!a.get(Dimension.RUN).isEmpty() || !b.get(Dimension.RUN).isEmpty()) {
                    throw new IllegalArgumentException("--runs A B already sets --a-run and --b-run; use one or the other");
                }
                a = withRun(a, runs.store().require(runPair.get(0)).id());
                b = withRun(b, runs.store().require(runPair.get(1)).id());
            }
            SideFilter effA = SideFilter.effective(shared, a);
            SideFilter effB = SideFilter.effective(shared, b);
            Set<String> onlyRuns = null;
            if (!effA.get(Dimension.RUN).isEmpty() && !effB.get(Dimension.RUN).isEmpty()) {
                onlyRuns = new LinkedHashSet<>(effA.get(Dimension.RUN));
                onlyRuns.addAll(effB.get(Dimension.RUN));
            }
            LoadResult pool = runs.pool(onlyRuns);
            CompareOptions opts = new CompareOptions(shared, a, b, pattern, !noAverage, gates, Path.of("").toAbsolutePath(),
                    minReplicas, alpha);
            CompareReport report = CompareEngine.compare(pool, opts);
            String text = switch (format) {
                case table -> CompareText.table(report, output == null && !noColor && Cli.color(), all);
                case json -> CompareText.json(report);
                case html -> HtmlReport.render(report);
            };
            if (output != null) {
                Files.writeString(output, text, StandardCharsets.UTF_8);
                spec.commandLine().getErr().println((report.hasRegression() ? "REGRESSION: " : "no regression: ")
                        + report.regressions() + " regression(s) in " + report.pairs().size() + " pair(s); report: " + output);
            } else {
                spec.commandLine().getOut().print(text);
            }
            return report.hasRegression() ? 1 : 0;
        });
    }

    private static SideFilter withRun(SideFilter f, String run) {
        Map<Dimension, Set<String>> m = new EnumMap<>(Dimension.class);
        m.putAll(f.values());
        m.put(Dimension.RUN, Set.of(run));
        return new SideFilter(m);
    }

    /** Run filters name a run by id or unique prefix; the filter itself matches whole ids only (one id may prefix another). */
    private List<String> fullRunIds(List<String> given) {
        List<String> ids = new ArrayList<>();
        try {
            for (String g : given) ids.add(runs.store().require(g).id());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ids;
    }

    private SideFilter filter(boolean perSide, String side) {
        Map<Dimension, Set<String>> m = new EnumMap<>(Dimension.class);
        if (!perSide) {
        put(m, Dimension.KERNEL, kernel);
        put(m, Dimension.SCHEDULER, scheduler);
        put(m, Dimension.TOPOLOGY, topology);
        put(m, Dimension.WORK_TYPE, workType);
        put(m, Dimension.COMMIT, projectCommit);
        put(m, Dimension.KERNEL_COMMIT, kernelCommit);
        put(m, Dimension.SOURCE, runSource);
        put(m, Dimension.FLAGS, flag);
        put(m, Dimension.RUN, fullRunIds(run));
        } else if (side.equals("a")) {
        put(m, Dimension.KERNEL, aKernel);
        put(m, Dimension.SCHEDULER, aScheduler);
        put(m, Dimension.TOPOLOGY, aTopology);
        put(m, Dimension.WORK_TYPE, aWorkType);
        put(m, Dimension.COMMIT, aProjectCommit);
        put(m, Dimension.KERNEL_COMMIT, aKernelCommit);
        put(m, Dimension.SOURCE, aRunSource);
        put(m, Dimension.FLAGS, aFlag);
        put(m, Dimension.RUN, fullRunIds(aRun));
        } else {
        put(m, Dimension.KERNEL, bKernel);
        put(m, Dimension.SCHEDULER, bScheduler);
        put(m, Dimension.TOPOLOGY, bTopology);
        put(m, Dimension.WORK_TYPE, bWorkType);
        put(m, Dimension.COMMIT, bProjectCommit);
        put(m, Dimension.KERNEL_COMMIT, bKernelCommit);
        put(m, Dimension.SOURCE, bRunSource);
        put(m, Dimension.FLAGS, bFlag);
        put(m, Dimension.RUN, fullRunIds(bRun));
        }
        return new SideFilter(m);
    }

    private static void put(Map<Dimension, Set<String>> m, Dimension d, List<String> values) {
        if (!values.isEmpty()) {
            m.put(d, new LinkedHashSet<>(values));
        }
    }
}

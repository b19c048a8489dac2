package dev.ktstr.results.stats;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ktstr.results.LoadProblem;
import dev.ktstr.results.LoadResult;
import dev.ktstr.results.LoadedSidecar;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.protocol.sidecar.SidecarCgroup;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code ktstr stats explain-sidecar}: for every optional field, how often it is null and whether
 * that is expected (a skipped variant has no stats) or something to fix (no host context).
 */
public final class SidecarExplainer {

    /** Why one sidecar has a null; {@code actionable} means the user can make it non-null. */
    private record Cause(boolean actionable, String text) {}

    private record Rule(String field, Function<Sidecar, Boolean> isNull, Function<Sidecar, Cause> cause, String fix) {}

    public record FieldReport(String field, int noneCount, int someCount, String classification,
                              List<String> causes, String fix) {}

    private static final List<Rule> RULES = List.of(
            rule("variant_id", s -> s.variantId() == null,
                    s -> new Cause(true, "the runner did not pass its variant id"), "set Sidecar.Builder.variantId in the runner"),
            rule("topology", s -> s.topology() == null,
                    s -> new Cause(true, "no topology recorded"), "record the variant's topology (e.g. 1n2l2c1t)"),
            rule("scheduler_commit", s -> s.schedulerCommit() == null,
                    s -> new Cause(false, "scheduler commits are not recorded yet"), null),
            rule("project_commit", s -> s.projectCommit() == null,
                    s -> new Cause(true, "tests ran outside a git repository"), "run tests from the project's git checkout"),
            rule("kernel_version", s -> s.kernelVersion() == null,
                    s -> s.skipped() ? new Cause(false, "skipped before a kernel was chosen")
                            : new Cause(true, "kernel version unknown"), "use a kernel from `ktstr kernel` (its metadata carries the version)"),
            rule("kernel_commit", s -> s.kernelCommit() == null,
                    s -> new Cause(false, "kernel not built from a clean git tree (a tarball, a distribution kernel, or a tree with changes)"), null),
            rule("work_type", s -> s.workType() == null,
                    s -> s.skipped() ? new Cause(false, "variant skipped")
                            : s.stats() == null ? new Cause(false, "no worker reported (the variant ended before its scenario ran workers)")
                            : new Cause(true, "workers ran but none reported its work type"),
                    "read the guest agent log of the variant: its workers' reports did not arrive or did not parse"),
            rule("payload", s -> s.payload() == null,
                    s -> new Cause(false, "the test runs no payload"), null),
            rule("reason", s -> s.reason() == null,
                    s -> s.passed() ? new Cause(false, "variant passed") : new Cause(true, "failed without a reason"),
                    "the runner must record why a variant failed"),
            rule("stats", s -> s.stats() == null,
                    s -> s.skipped() ? new Cause(false, "variant skipped")
                            : new Cause(true, "variant ended before the scenario produced statistics (boot or infrastructure failure)"),
                    "read the sidecar's reason and the run log"),
            rule("monitor", s -> s.monitor() == null,
                    s -> s.skipped() ? new Cause(false, "variant skipped")
                            : "eevdf".equals(s.scheduler()) ? new Cause(false, "no monitor for the EEVDF baseline")
                            : s.metrics().stream().anyMatch(m -> "host_monitor".equals(m.payload()))
                                    ? new Cause(false, "the monitor sampled but its checks did not run (the guest verdict had failed,"
                                            + " or no sched_ext scheduler was seen enabled)")
                            : new Cause(true, "host monitor did not run"), "keep System.map and BTF next to the kernel image"),
            rule("kvm_stats", s -> s.kvmStats() == null,
                    s -> "kvm".equals(s.accelerator()) ? new Cause(true, "KVM run without KVM counters")
                            : new Cause(false, "no KVM (accelerator " + s.accelerator() + ")"), "give the worker read access to /sys/kernel/debug/kvm"),
            rule("host", s -> s.host() == null,
                    s -> new Cause(true, "host context capture failed"), "let the worker read /proc and /sys"),
            rule("accelerator", s -> s.accelerator() == null,
                    s -> s.skipped() ? new Cause(false, "no VM started (skipped)") : new Cause(true, "accelerator not recorded"),
                    "the runner must record kvm or tcg"),
            rule("worker_node", s -> s.workerNode() == null,
                    s -> s.skipped() ? new Cause(false, "no worker ran it (skipped)") : new Cause(true, "worker node not recorded"),
                    "the runner must record the worker node"),
            rule("phases.boot_ms", s -> s.phases().bootMs() == null,
                    s -> s.skipped() ? new Cause(false, "no VM started (skipped)") : new Cause(true, "boot time not recorded"),
                    "the runner must record phase timings"),
            rule("cleanup_duration_ms", s -> s.cleanupDurationMs() == null,
                    s -> s.skipped() ? new Cause(false, "nothing to clean up (skipped)") : new Cause(true, "teardown not timed"),
                    "the runner must record the teardown duration"),
            rule("stats.cgroups[].wake_latency_hdr", SidecarExplainer::missingHistogram,
                    s -> new Cause(true, "cgroups with wake samples but no histogram"),
                    "record worker wake latencies into HdrHistograms (compare falls back to averaged percentiles)"));

    private SidecarExplainer() {}

    private static Rule rule(String f, Function<Sidecar, Boolean> isNull, Function<Sidecar, Cause> cause, String fix) {
        return new Rule(f, isNull, cause, fix);
    }

    private static boolean missingHistogram(Sidecar s) {
        if (s.stats() == null) {
            return false;
        }
        for (SidecarCgroup cg : s.stats().cgroups()) {
            if (cg.wakeLatencyHdr() == null && cg.wakeSampleTotal() > 0) {
                return true;
            }
        }
        return false;
    }

    public static List<FieldReport> explain(LoadResult run) {
        List<FieldReport> out = new ArrayList<>();
        for (Rule r : RULES) {
            int none = 0;
            int some = 0;
            boolean actionable = false;
            Set<String> causes = new LinkedHashSet<>();
            for (LoadedSidecar ls : run.sidecars()) {
                if (r.isNull().apply(ls.sidecar())) {
                    none++;
                    Cause c = r.cause().apply(ls.sidecar());
                    actionable |= c.actionable();
                    causes.add(c.text());
                } else {
                    some++;
                }
            }
            out.add(new FieldReport(r.field(), none, some, none == 0 ? "populated" : actionable ? "actionable" : "expected",
                    List.copyOf(causes), actionable ? r.fix() : null));
        }
        return out;
    }

    public static String text(LoadResult run) {
        StringBuilder sb = new StringBuilder();
        sb.append("walked ").append(run.walked()).append(" sidecar file(s), parsed ").append(run.sidecars().size()).append(" valid\n");
        for (FieldReport f : explain(run)) {
            if (f.noneCount() == 0) {
                continue;
            }
            sb.append(String.format("%-34s null in %d of %d  [%s]%n", f.field(), f.noneCount(), f.noneCount() + f.someCount(),
                    f.classification()));
            f.causes().forEach(c -> sb.append("    cause: ").append(c).append('\n'));
            if (f.fix() != null) {
                sb.append("    fix: ").append(f.fix()).append('\n');
            }
        }
        List<LoadProblem> corrupt = run.problems().stream().filter(p -> !p.ioError()).toList();
        List<LoadProblem> io = run.problems().stream().filter(LoadProblem::ioError).toList();
        if (!corrupt.isEmpty()) {
            sb.append("corrupt sidecars (").append(corrupt.size()).append("):\n");
            corrupt.forEach(p -> sb.append("  ").append(p.message()).append('\n'));
        }
        if (!io.isEmpty()) {
            sb.append("io errors (").append(io.size()).append("):\n");
            io.forEach(p -> sb.append("  ").append(p.message()).append('\n'));
        }
        return sb.toString();
    }

    public static String json(LoadResult run) {
        ObjectNode root = SidecarCodec.mapper().createObjectNode();
        root.put("_schema_version", "1");
        ObjectNode walk = root.putObject("_walk");
        walk.put("walked", run.walked());
        walk.put("valid", run.sidecars().size());
        ArrayNode errors = walk.putArray("errors");
        ArrayNode ioErrors = walk.putArray("io_errors");
        for (LoadProblem p : run.problems()) {
            if (p.ioError()) {
                ioErrors.addObject().put("path", p.path().toString()).put("error", p.message());
            } else {
                errors.addObject().put("path", p.path().toString()).put("error", p.message())
                        .put("enriched_message", p.message() + " (regenerate it by rerunning the variant, or delete the file)");
            }
        }
        ObjectNode fields = root.putObject("fields");
        Map<String, FieldReport> byName = new LinkedHashMap<>();
        explain(run).forEach(f -> byName.put(f.field(), f));
        byName.forEach((name, f) -> {
            ObjectNode n = fields.putObject(name);
            n.put("none_count", f.noneCount());
            n.put("some_count", f.someCount());
            n.put("classification", f.classification());
            ArrayNode c = n.putArray("causes");
            f.causes().forEach(c::add);
            if (f.fix() == null) {
                n.putNull("fix");
            } else {
                n.put("fix", f.fix());
            }
        });
        return root.toPrettyString() + "\n";
    }
}

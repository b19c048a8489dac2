package dev.ktstr.coordinator.testrun;

import dev.ktstr.coordinator.ArtifactStore;
import dev.ktstr.coordinator.GauntletRun;
import dev.ktstr.coordinator.RunListener;
import dev.ktstr.coordinator.RunOptions;
import dev.ktstr.coordinator.RunRequest;
import dev.ktstr.coordinator.RunSummary;
import dev.ktstr.coordinator.partition.Partition;
import dev.ktstr.coordinator.plan.BudgetSelector;
import dev.ktstr.coordinator.plan.BudgetSetting;
import dev.ktstr.coordinator.plan.CostModel;
import dev.ktstr.coordinator.plan.GauntletPlan;
import dev.ktstr.coordinator.plan.GauntletPlanner;
import dev.ktstr.coordinator.plan.HostCapacity;
import dev.ktstr.coordinator.plan.NameFilter;
import dev.ktstr.coordinator.plan.Overcommit;
import dev.ktstr.coordinator.plan.PlanTests;
import dev.ktstr.coordinator.plan.PresetFilter;
import dev.ktstr.coordinator.plan.TopologyPreset;
import dev.ktstr.coordinator.plan.Variant;
import dev.ktstr.coordinator.results.RunDir;
import dev.ktstr.coordinator.results.RunInfo;
import dev.ktstr.coordinator.results.RunStore;
import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.protocol.job.ArtifactRole;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.job.KernelRef;
import dev.ktstr.scenario.TestConfig;
import dev.ktstr.scenario.discovery.KtstrTestEntry;
import dev.ktstr.scenario.discovery.KtstrTests;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.SchedulerSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * One {@code ktstr test} run in local mode: discover {@code @KtstrTest} methods, plan variants
 * (gauntlet, budget, partition), turn them into VM jobs with content-addressed artifacts, run them
 * through the coordinator, write one sidecar per variant, and report.
 */
public final class TestRun {

    private final TestRunOptions options;
    private final TestEnvironment env;
    private final PrintStream out;
    private final PrintStream err;

    public TestRun(TestRunOptions options, TestEnvironment env, PrintStream out, PrintStream err) {
        this.options = options;
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /** Discovers and plans without running anything. */
    public Planned plan() throws IOException {
        for (Path root : options.testRoots()) {
            if (!Files.exists(root)) {
                throw new IOException("test path " + root + " does not exist: pass a jar or a class directory"
                        + " (e.g. examples/target/test-classes after `mvn -DskipTests package`)");
            }
        }
        List<URL> urls = new ArrayList<>();
        for (Path r : options.testRoots()) urls.add(r.toUri().toURL());
        URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), TestRun.class.getClassLoader());
        List<KtstrTestEntry> entries = KtstrTests.discover(loader, options.testRoots());
        if (options.testIds() != null) {
            entries = entries.stream().filter(e -> options.testIds().contains(e.id())).toList();
        }
        List<KernelArtifacts> kernels = env.kernels();
        List<String> labels = kernels.stream().map(KernelArtifacts::label).toList();

        HostCapacity host = HostCapacity.detect();
        Overcommit oc = options.overcommit() > 1 ? Overcommit.factor(options.overcommit()) : Overcommit.NONE;
        GauntletPlanner planner = new GauntletPlanner(TopologyPreset.X86_64, new PresetFilter(host, oc),
                CostModel.forAccelerator(env.accelerator()));
        GauntletPlan plan = planner.plan(PlanTests.from(entries),
                new GauntletPlanner.Options(options.gauntlet(), labels, NameFilter.parse(options.filters())));
        plan.notes().forEach(n -> err.println("ktstr: " + n));
        List<Variant> variants = new ArrayList<>();
        for (Variant v : plan.variants()) {
            if (v.ignored() && !v.gauntlet() && !options.includeIgnored()) continue;
            variants.add(v);
        }
        if (options.partition() != null) {
            Partition p = Partition.parse(options.partition());
            variants = p.filter(variants, Variant::name);
            err.println("ktstr: partition " + p + " keeps " + variants.size() + " variants");
        }
        OptionalDouble budget = BudgetSetting.resolve(options.budgetSecs(), System.getenv(), m -> err.println("ktstr: " + m));
        if (budget.isPresent()) {
            variants = BudgetSelector.selectAndReport(variants, budget.getAsDouble(), err).selected();
        }
        String oSummary = plan.overcommitSummary();
        if (oSummary != null) err.println("ktstr: " + oSummary);
        Map<String, KtstrTestEntry> byId = new LinkedHashMap<>();
        entries.forEach(e -> byId.put(e.id(), e));
        return new Planned(entries, variants, kernels, byId, loader);
    }

    /** Plans, runs every variant, writes sidecars, prints one line per variant; returns the outcomes. */
    public Result run(Consumer<VariantOutcome> onResult) throws IOException, InterruptedException {
        Planned planned = plan();
        if (options.listOnly()) {
            planned.variants().forEach(v -> out.println(v.listLine()));
            return new Result(planned, List.of(), null, null);
        }
        if (planned.variants().isEmpty()) {
            err.println("ktstr: no test matched: nothing to run");
            return new Result(planned, List.of(), null, null);
        }
        KernelArtifacts first = planned.kernels().get(0);
        RunStore store = RunStore.open(RunStore.resolveRoot(options.runsDir()));
        RunDir runDir = store.newRun(RunInfo.of(first.version(), options.commit()));
        err.println("ktstr: run " + runDir.id() + " in " + runDir.path());

        ArtifactStore artifacts = new ArtifactStore();
        List<ArtifactRef> testJars = new ArrayList<>();
        int n = 0;
        for (Path root : options.testRoots()) {
            Path jar = Files.isDirectory(root) ? TestJars.pack(root, runDir.path().resolve("artifacts").resolve("tests-" + (n++) + ".jar")) : root;
            testJars.add(artifacts.add(jar, ArtifactRole.TEST_JAR));
        }
        Map<String, List<ArtifactRef>> kernelRefs = new LinkedHashMap<>();
        Map<String, KernelRef> kernelRefByLabel = new LinkedHashMap<>();
        for (KernelArtifacts k : planned.kernels()) {
            List<ArtifactRef> refs = new ArrayList<>();
            ArtifactRef img = artifacts.add(k.image(), ArtifactRole.KERNEL_IMAGE);
            refs.add(img);
            ArtifactRef btf = k.btf().isPresent() ? artifacts.add(k.btf().get(), ArtifactRole.KERNEL_BTF) : null;
            ArtifactRef map = k.systemMap().isPresent() ? artifacts.add(k.systemMap().get(), ArtifactRole.SYSTEM_MAP) : null;
            if (btf != null) refs.add(btf);
            if (map != null) refs.add(map);
            kernelRefs.put(k.label(), refs);
            kernelRefByLabel.put(k.label(), new KernelRef(k.label(), img.sha256(), btf == null ? null : btf.sha256(),
                    map == null ? null : map.sha256()));
        }

        List<JobSpec> jobs = new ArrayList<>();
        Map<String, Variant> variantByJob = new LinkedHashMap<>();
        List<VariantOutcome> preResolved = new ArrayList<>();
        for (Variant v : planned.variants()) {
            KtstrTestEntry entry = planned.byId().get(v.testId());
            KernelArtifacts kernel = v.kernelLabel() == null ? first
                    : planned.kernels().stream().filter(k -> k.label().equals(v.kernelLabel())).findFirst().orElse(first);
            String jobId = JobSpec.jobIdFor(runDir.id(), v.name());
            if (entry.config().hostOnly()) {
                preResolved.add(new VariantOutcome(v, entry, new JobResult(jobId, v.name(), JobStatus.SKIP,
                        "hostOnly tests are not supported by ktstr-java yet", "", null, null, Map.of(), 0, null)));
                continue;
            }
            List<ArtifactRef> refs = new ArrayList<>(testJars);
            refs.addAll(kernelRefs.get(kernel.label()));
            Scheduler sched = entry.config().scheduler();
            Optional<String> schedProblem = Optional.empty();
            if (sched.binary() instanceof SchedulerSpec.Discover d) {
                Optional<Path> bin = env.findScheduler(d.name(), kernel);
                if (bin.isPresent()) refs.add(artifacts.add(bin.get(), ArtifactRole.SCHEDULER));
                else schedProblem = Optional.of("scheduler binary '" + d.name() + "' not found (looked in $KTSTR_SCHEDULER, the kernel's"
                        + " scheduler dir " + kernel.schedulers().map(Path::toString).orElse("(none)") + " and $PATH):"
                        + " build the kernel with clang present (bin/ktstr kernel build) or set KTSTR_SCHEDULER");
            } else if (sched.binary() instanceof SchedulerSpec.Path p) {
                Path bin = Path.of(p.path());
                if (Files.isRegularFile(bin)) refs.add(artifacts.add(bin, ArtifactRole.SCHEDULER));
                else schedProblem = Optional.of("scheduler binary " + bin + " does not exist");
            }
            if (schedProblem.isEmpty()) {
                try {
                    for (Path inc : includeFiles(entry, planned.loader())) refs.add(artifacts.add(inc, ArtifactRole.INCLUDE_FILE));
                } catch (IOException | IllegalArgumentException e) {
                    schedProblem = Optional.of("extraIncludeFiles of " + entry.methodName() + ": " + e.getMessage());
                }
            }
            if (schedProblem.isPresent()) {
                preResolved.add(new VariantOutcome(v, entry, new JobResult(jobId, v.name(), JobStatus.FAIL,
                        schedProblem.get(), "", null, null, Map.of(), 0, null)));
                continue;
            }
            TestConfig cfg = entry.config();
            List<String> schedArgs = sched.isEevdf() ? List.of()
                    : sched.commandLine(cfg.extraSchedArgs(), new LinkedHashSet<>(v.activeFlags()));
            long timeoutMs = options.timeout() != null ? options.timeout().toMillis() : defaultTimeout(cfg, v).toMillis();
            JobSpec job = new JobSpec(jobId, v.name(), entry.className(), entry.methodName(), v.topology(),
                    kernelRefByLabel.get(kernel.label()), sched.displayName(), schedArgs, v.activeFlags(),
                    Math.max(v.memoryMb(), cfg.vmMemoryMb()), timeoutMs, cfg.performanceMode(), refs, 0);
            jobs.add(job);
            variantByJob.put(jobId, v);
        }

        List<VariantOutcome> outcomes = new ArrayList<>();
        SidecarMapper mapper = new SidecarMapper(runDir.id(), options.commit(), env.accelerator());
        Consumer<VariantOutcome> record = o -> {
            outcomes.add(o);
            try {
                KernelArtifacts k = o.variant().kernelLabel() == null ? first : planned.kernels().stream()
                        .filter(x -> x.label().equals(o.variant().kernelLabel())).findFirst().orElse(first);
                runDir.write(mapper.map(o, k));
            } catch (IOException | RuntimeException e) {
                err.println("ktstr: could not write the sidecar of " + o.variant().name() + ": " + e.getMessage());
            }
            out.println(ResultLines.line(o));
            if (o.result().status() != JobStatus.PASS && o.result().status() != JobStatus.SKIP) {
                out.println(ResultLines.failureReport(o));
            }
            if (onResult != null) onResult.accept(o);
        };
        preResolved.forEach(record);

        RunSummary summary = null;
        if (!jobs.isEmpty()) {
            // A test's own topology is what it asked for: on a small TCG host, overcommit vCPUs as far
            // as the biggest job needs (recorded in the journal's plan) rather than skipping it.
            int hostCpus = Math.max(1, HostCapacity.detect().logicalCpus());
            double needed = jobs.stream().mapToDouble(j -> Math.ceil((double) j.vcpus() / hostCpus)).max().orElse(1);
            double overcommit = Math.max(options.overcommit(), "tcg".equals(env.accelerator()) ? needed : 1);
            overcommit = Math.max(1.0, Math.min(16, overcommit));
            if (overcommit > 1) err.printf("ktstr: vCPU overcommit x%.0f on this %s host (%d CPUs)%n", overcommit, env.accelerator(), hostCpus);
            RunOptions ro = RunOptions.defaults().withRunsDir(runDir.path().getParent()).withTcgOvercommit(overcommit);
            RunListener listener = new RunListener() {
                @Override
                public void onResult(JobResult r) {
                    Variant v = variantByJob.get(r.jobId());
                    if (v != null) record.accept(new VariantOutcome(v, planned.byId().get(v.testId()), r));
                }
            };
            try (GauntletRun cluster = env.startLocal(options.slots())) {
                summary = cluster.start(new RunRequest(runDir.id(), jobs, false, ro, listener, artifacts)).await();
            }
        }
        int pass = 0, fail = 0, skip = 0;
        for (VariantOutcome o : outcomes) {
            switch (o.result().status()) {
                case PASS -> pass++;
                case SKIP -> skip++;
                default -> fail++;
            }
        }
        err.printf("ktstr: %d passed, %d failed, %d skipped; sidecars in %s%n", pass, fail, skip, runDir.path());
        if (summary != null) err.println("ktstr: " + summary.oneLine());
        return new Result(planned, outcomes, runDir, summary);
    }

    /**
     * The test method's {@code @KtstrTest(extraIncludeFiles)}, resolved on this host (spec §1.6). Read
     * from the annotation rather than {@link TestConfig} because only the host needs it.
     */
    static List<Path> includeFiles(KtstrTestEntry entry, ClassLoader loader) throws IOException {
        java.lang.reflect.Method method;
        try {
            method = java.util.Arrays.stream(Class.forName(entry.className(), false, loader).getMethods())
                    .filter(m -> m.getName().equals(entry.methodName()) && m.isAnnotationPresent(dev.ktstr.scenario.KtstrTest.class))
                    .findFirst().orElse(null);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IOException("cannot load " + entry.className() + ": " + e);
        }
        if (method == null) return List.of();
        List<Path> files = new ArrayList<>();
        for (String spec : method.getAnnotation(dev.ktstr.scenario.KtstrTest.class).extraIncludeFiles()) {
            Path p = dev.ktstr.vmm.initramfs.IncludeSpec.resolve(spec).hostPath();
            if (!Files.isRegularFile(p)) {
                throw new IOException("include '" + spec + "' resolves to " + p + ", which is not a regular file; directories are not shipped to workers yet");
            }
            files.add(p);
        }
        return files;
    }

    static Duration defaultTimeout(TestConfig cfg, Variant v) {
        // TCG: a boot plus one JVM start per worker, emulated; more vCPUs usually means more workers
        // (measured: 8 vCPUs with 16 workers took 177-186 s on a 2-core host). Tests may run a few
        // phases of durationS. A hung guest is still stopped at this deadline.
        return Duration.ofSeconds(240L + 10L * cfg.durationS() + 8L * v.cpus());
    }

    /** Discovery and planning output. */
    public record Planned(List<KtstrTestEntry> entries, List<Variant> variants, List<KernelArtifacts> kernels,
                          Map<String, KtstrTestEntry> byId, ClassLoader loader) {}

    /** A finished run. {@code runDir}/{@code summary} are null for a listing or an empty plan. */
    public record Result(Planned planned, List<VariantOutcome> outcomes, RunDir runDir, RunSummary summary) {
        public boolean allPassed() {
            return outcomes.stream().allMatch(o -> o.result().status() == JobStatus.PASS || o.result().status() == JobStatus.SKIP);
        }
    }
}

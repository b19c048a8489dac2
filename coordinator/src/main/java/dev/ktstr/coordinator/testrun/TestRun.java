package dev.ktstr.coordinator.testrun;

import dev.ktstr.host.IncludePaths;
import dev.ktstr.coordinator.ArtifactStore;
import dev.ktstr.coordinator.GauntletRun;
import dev.ktstr.coordinator.RunHandle;
import dev.ktstr.coordinator.RunIds;
import dev.ktstr.coordinator.RunListener;
import dev.ktstr.coordinator.RunOptions;
import dev.ktstr.coordinator.RunRequest;
import dev.ktstr.coordinator.RunSummary;
import dev.ktstr.coordinator.journal.JournalState;
import dev.ktstr.coordinator.journal.RunJournal;
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
import dev.ktstr.coordinator.plan.Replicas;
import dev.ktstr.coordinator.plan.Variant;
import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunInfo;
import dev.ktstr.results.RunStore;
import dev.ktstr.results.SidecarConflictException;
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
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One {@code ktstr test} or {@code ktstr coordinator} run: discover {@code @KtstrTest} methods, plan
 * variants (gauntlet, budget, partition), turn them into VM jobs with content-addressed artifacts, run
 * them through the coordinator ({@link RunTarget}: local mode or remote workers), write one sidecar
 * per variant, and report. A run can be resumed from its journal and {@link RunManifest}.
 */
public final class TestRun {

    private final TestRunOptions options;
    private final TestEnvironment env;
    private final RunTarget target;
    private final PrintStream out;
    private final PrintStream err;
    private String runName;
    private boolean verbose;

    /** Local mode: the jobs run in this JVM ({@link TestEnvironment#startLocal}). */
    public TestRun(TestRunOptions options, TestEnvironment env, PrintStream out, PrintStream err) {
        this(options, env, RunTarget.local(env, options.slots(), options.overcommit(), err), out, err);
    }

    /** Any mode: {@code target} says where the jobs run (local mode, or a coordinator remote workers join). */
    public TestRun(TestRunOptions options, TestEnvironment env, RunTarget target, PrintStream out, PrintStream err) {
        this.options = options;
        this.env = env;
        this.target = target;
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
            if (!runs(v, options.includeIgnored())) continue;
            variants.add(v);
        }
        if (options.partition() != null) {
            Partition p = Partition.parse(options.partition());
            variants = p.filter(variants, Variant::name);
            err.println("ktstr: partition " + p + " keeps " + variants.size() + " variants");
        }
        Map<String, KtstrTestEntry> entryById = new LinkedHashMap<>();
        entries.forEach(e -> entryById.put(e.id(), e));
        java.util.function.ToIntFunction<Variant> replicas = v -> options.replicas() != null ? options.replicas()
                : entryById.get(v.testId()).config().replicas();
        variants = Replicas.weigh(variants, replicas);
        OptionalDouble budget = BudgetSetting.resolve(options.budgetSecs(), System.getenv(), m -> err.println("ktstr: " + m));
        if (budget.isPresent()) {
            // a gauntlet asked for breadth: once every configuration bit is covered, the rest of the budget
            // goes to more variants, spread over the tests, instead of being left unused
            boolean fill = options.gauntlet() || "1".equals(System.getenv("KTSTR_BUDGET_FILL"))
                    || "true".equalsIgnoreCase(System.getenv("KTSTR_BUDGET_FILL"));
            variants = BudgetSelector.selectAndReport(options.gauntlet() ? BudgetSelector.interleaveByTest(variants) : variants,
                    budget.getAsDouble(), fill, err).selected();
        }
        variants = Replicas.expand(variants, replicas);
        String oSummary = plan.overcommitSummary();
        if (oSummary != null) err.println("ktstr: " + oSummary);
        return new Planned(entries, variants, kernels, entryById, loader);
    }

    /** Prints each variant's phase breakdown under its result line ({@code ktstr test -v}). */
    public TestRun verbose(boolean on) {
        this.verbose = on;
        return this;
    }

    /** Names the run (a new run directory with this id) instead of a generated id. */
    public TestRun named(String runId) {
        this.runName = runId;
        return this;
    }

    /** Plans, runs every variant, writes sidecars, prints one line per variant; returns the outcomes. */
    public Result run(Consumer<VariantOutcome> onResult) throws IOException, InterruptedException {
        return runReporting(onResult == null ? null : (o, report) -> onResult.accept(o));
    }

    /**
     * As {@link #run}, and hands each result its failure report (spec §4.7, with the path of the full log;
     * null for a pass or skip) as printed, so a JUnit engine reports the same text.
     */
    /**
     * A named run (a systemd instance) whose coordinator died after creating the run dir but before
     * its journal existed ran no job: the unit's restart finds no journal, so it starts the run
     * again under the same name. The dead attempt's dir is moved aside (hidden, kept as evidence),
     * not deleted, so nothing that may still be writing there loses data.
     */
    static void setAsideUnstarted(Path root, String runName, PrintStream err) throws IOException {
        Path dir = root.resolve(runName);
        if (!Files.isDirectory(dir) || Files.exists(RunJournal.pathFor(root, runName))) return;
        Path aside = root.resolve("." + runName + ".unstarted-" + System.currentTimeMillis());
        Files.move(dir, aside, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        err.println("ktstr: run " + runName + " was created before but never journaled (its coordinator died while planning):"
                + " starting it again; the earlier attempt's files are in " + aside);
    }

    public Result runReporting(BiConsumer<VariantOutcome, String> onResult) throws IOException, InterruptedException {
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
        RunInfo info = RunInfo.of(first.version(), options.commit());
        if (runName != null) setAsideUnstarted(store.root(), runName, err);
        RunDir runDir = runName == null ? store.newRun(info) : store.newNamedRun(runName, info);
        err.println("ktstr: run " + runDir.id() + " in " + runDir.path());

        Offer offer = new Offer();
        List<ArtifactRef> testJars = new ArrayList<>();
        int n = 0;
        for (Path root : options.testRoots()) {
            Path jar = Files.isDirectory(root) ? TestJars.pack(root, runDir.path().resolve("artifacts").resolve("tests-" + (n++) + ".jar")) : root;
            testJars.add(offer.add(jar, ArtifactRole.TEST_JAR));
        }
        Map<String, List<ArtifactRef>> kernelRefs = new LinkedHashMap<>();
        Map<String, KernelRef> kernelRefByLabel = new LinkedHashMap<>();
        for (KernelArtifacts k : planned.kernels()) {
            List<ArtifactRef> refs = new ArrayList<>();
            ArtifactRef img = offer.add(k.image(), ArtifactRole.KERNEL_IMAGE);
            refs.add(img);
            ArtifactRef btf = k.btf().isPresent() ? offer.add(k.btf().get(), ArtifactRole.KERNEL_BTF) : null;
            ArtifactRef map = k.systemMap().isPresent() ? offer.add(k.systemMap().get(), ArtifactRole.SYSTEM_MAP) : null;
            if (btf != null) refs.add(btf);
            if (map != null) refs.add(map);
            kernelRefs.put(k.label(), refs);
            kernelRefByLabel.put(k.label(), new KernelRef(k.label(), img.sha256(), btf == null ? null : btf.sha256(),
                    map == null ? null : map.sha256()));
        }

        List<JobSpec> jobs = new ArrayList<>();
        Map<String, Slot> slots = new LinkedHashMap<>();
        List<RunManifest.PreResolved> preResolved = new ArrayList<>();
        for (Variant v : planned.variants()) {
            KtstrTestEntry entry = planned.byId().get(v.testId());
            KernelArtifacts kernel = v.kernelLabel() == null ? first
                    : planned.kernels().stream().filter(k -> k.label().equals(v.kernelLabel())).findFirst().orElse(first);
            String jobId = JobSpec.jobIdFor(runDir.id(), v.name());
            TestConfig cfg = entry.config();
            List<ArtifactRef> refs = new ArrayList<>(testJars);
            refs.addAll(kernelRefs.get(kernel.label()));
            Scheduler sched = cfg.scheduler();
            String problem = null;
            JobStatus problemStatus = JobStatus.FAIL;
            if (cfg.hostOnly()) {
                problem = "hostOnly tests are not supported by ktstr-java yet";
                problemStatus = JobStatus.SKIP;
            } else if (sched.binary() instanceof SchedulerSpec.Discover d) {
                Optional<Path> bin = env.findScheduler(d.name(), kernel);
                if (bin.isPresent()) refs.add(offer.add(bin.get(), ArtifactRole.SCHEDULER));
                else problem = "scheduler binary '" + d.name() + "' not found (looked in $KTSTR_SCHEDULER, the kernel's"
                        + " scheduler dir " + kernel.schedulers().map(Path::toString).orElse("(none)") + " and $PATH):"
                        + " build the kernel with clang present (bin/ktstr kernel build) or set KTSTR_SCHEDULER";
            } else if (sched.binary() instanceof SchedulerSpec.Path p) {
                SchedulerBinary.Base base = SchedulerBinary.base(options.testRoots(), Path.of(""));
                Path bin = SchedulerBinary.resolve(p.path(), base);
                problem = SchedulerBinary.problem(p.path(), bin, base);
                if (problem == null) refs.add(offer.add(bin, ArtifactRole.SCHEDULER));
            }
            if (problem == null) {
                try {
                    for (Path inc : includeFiles(entry, planned.loader())) refs.add(offer.add(inc, ArtifactRole.INCLUDE_FILE));
                } catch (IOException | IllegalArgumentException e) {
                    problem = "extraIncludeFiles of " + entry.methodName() + ": " + e.getMessage();
                }
            }
            if (problem == null && sched.configFile() != null) {
                // the scheduler reads it as --config /include-files/<basename>: ship it with the job
                try {
                    refs.add(offer.add(schedulerConfigFile(sched), ArtifactRole.INCLUDE_FILE));
                } catch (IOException e) {
                    problem = e.getMessage();
                }
            }
            List<String> schedArgs = sched.isEevdf() || problem != null ? List.of()
                    : sched.commandLine(cfg.extraSchedArgs(), new LinkedHashSet<>(v.activeFlags()));
            long timeoutMs = options.timeout() != null ? options.timeout().toMillis() : defaultTimeout(cfg, v).toMillis();
            JobSpec job = new JobSpec(jobId, v.name(), entry.className(), entry.methodName(), v.topology(),
                    kernelRefByLabel.get(kernel.label()), sched.displayName(), schedArgs, v.activeFlags(),
                    Math.max(v.memoryMb(), cfg.vmMemoryMb()), timeoutMs, cfg.performanceMode(), refs, 0,
                    new dev.ktstr.protocol.job.VerdictTerms(cfg.expectErr(), cfg.cleanupBudgetMs(), cfg.schedError(), cfg.allowInconclusive(),
                            cfg.assertion().gapLimitMs()),
                    dev.ktstr.scenario.report.ReportJson.mapper().valueToTree(cfg.withTopology(v.topology())));
            slots.put(jobId, new Slot(v, entry, kernel));
            if (problem != null) {
                preResolved.add(new RunManifest.PreResolved(job, new JobResult(jobId, v.name(), problemStatus, problem, "",
                        null, null, Map.of(), 0, null)));
            } else {
                jobs.add(job);
            }
        }
        new RunManifest(RunManifest.FORMAT_VERSION, runDir.id(), options.commit(), env.accelerator(),
                options.testRoots().stream().map(p -> p.toAbsolutePath().toString()).toList(),
                planned.kernels().stream().map(RunManifest.Kernel::of).toList(), offer.manifest(), preResolved)
                .write(runDir.path());
        RunOptions base = RunOptions.defaults().withRunsDir(runDir.path().getParent());
        return execute(new Execution(planned, runDir, sidecarMapper(runDir.id(), options.commit(), env.accelerator()), slots,
                preResolved, Map.of(), jobs, false, base, offer.store), target, out, err, onResult, verbose);
    }

    /**
     * Continues the run {@code runId} planned earlier (by {@code ktstr test} or {@code ktstr coordinator}):
     * the jobs come from its journal, the artifacts from its manifest (each re-hashed: a file that changed
     * since planning stops the resume). Variants with a journaled result are not run again; their lines
     * are printed and any sidecar a crash left unwritten is written.
     *
     * @param runsRoot the runs root ({@code --runs-dir}); null = {@code $KTSTR_RUNS_DIR} or {@code target/ktstr-runs}
     */
    public static Result resume(String runId, Path runsRoot, RunTarget target, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        RunStore store = RunStore.open(RunStore.resolveRoot(runsRoot));
        RunDir runDir = store.find(RunIds.validate(runId)).filter(r -> r.id().equals(runId)).orElseThrow(() -> new IOException(
                "no run " + runId + " under " + store.root() + " (pass the --runs-dir the run was started with)"));
        RunManifest m = RunManifest.read(runDir.path());
        JournalState st = RunJournal.replay(RunJournal.pathFor(store.root(), runId));

        Map<String, RunManifest.Artifact> bySha = new LinkedHashMap<>();
        m.artifacts().forEach(a -> bySha.put(a.sha256(), a));
        List<JobSpec> pending = st.pending();
        ArtifactStore artifacts = new ArtifactStore();
        Set<String> needed = new LinkedHashSet<>();
        pending.forEach(j -> j.artifacts().forEach(a -> needed.add(a.sha256())));
        for (String sha : needed) {
            RunManifest.Artifact a = bySha.get(sha);
            if (a == null) throw new IOException("run " + runId + ": artifact " + sha + " is in the journal but not in " + RunManifest.FILE_NAME);
            ArtifactRef now;
            try {
                now = artifacts.add(Path.of(a.path()), a.role());
            } catch (IOException e) {
                throw new IOException("run " + runId + " cannot be resumed: " + a.role() + " " + a.path() + " is gone (" + e.getMessage()
                        + "); the jobs that are left need it: restore it or start a new run");
            }
            if (!now.sha256().equals(sha)) {
                throw new IOException("run " + runId + " cannot be resumed: " + a.path() + " changed since the run was planned (sha256 "
                        + sha + ", now " + now.sha256() + "); results would mix two builds: start a new run");
            }
        }

        List<Path> jars = m.artifacts().stream().filter(a -> a.role() == ArtifactRole.TEST_JAR).map(a -> Path.of(a.path())).toList();
        List<URL> urls = new ArrayList<>();
        for (Path j : jars) urls.add(j.toUri().toURL());
        URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), TestRun.class.getClassLoader());
        List<KtstrTestEntry> entries = KtstrTests.discover(loader, jars.stream().filter(Files::exists).toList());
        Map<String, KtstrTestEntry> byId = new LinkedHashMap<>();
        entries.forEach(e -> byId.put(e.id(), e));
        List<KernelArtifacts> kernels = m.kernels().stream().map(RunManifest.Kernel::artifacts).toList();
        if (kernels.isEmpty()) throw new IOException(runDir.path().resolve(RunManifest.FILE_NAME) + " names no kernel");

        Map<String, Slot> slots = new LinkedHashMap<>();
        List<Variant> variants = new ArrayList<>();
        List<JobSpec> all = new ArrayList<>();
        m.preResolved().forEach(p -> all.add(p.job()));
        all.addAll(st.jobs());
        for (JobSpec j : all) {
            KtstrTestEntry e = byId.get(j.testClass() + "#" + j.testMethod());
            if (e == null) {
                throw new IOException("run " + runId + ": test " + j.testClass() + "#" + j.testMethod() + " of variant " + j.variantName()
                        + " is not in the run's test jars " + jars);
            }
            KernelArtifacts k = kernels.stream().filter(x -> j.kernel() != null && x.label().equals(j.kernel().label()))
                    .findFirst().orElse(kernels.get(0));
            Variant v = new Variant(j.variantName(), e.id(), PlanTests.from(e), j.topology(), null, j.activeFlags(),
                    j.kernel() == null ? null : j.kernel().label(), 0, j.variantName().startsWith("gauntlet/"), j.memoryMb(),
                    false, false);
            variants.add(v);
            slots.put(j.jobId(), new Slot(v, e, k));
        }
        err.println("ktstr: resuming run " + runId + " in " + runDir.path() + ": " + st.results().size() + " of " + st.jobs().size()
                + " jobs have a journaled result, " + pending.size() + " left to run");
        RunOptions base = RunOptions.defaults().withRunsDir(store.root())
                .withTcgOvercommit(st.plan().tcgOvercommit()).withMaxAttempts(st.plan().maxAttempts());
        Planned planned = new Planned(entries, variants, kernels, byId, loader);
        return execute(new Execution(planned, runDir, sidecarMapper(runId, m.commit(), m.accelerator()), slots, m.preResolved(),
                st.results(), pending, true, base, artifacts), target, out, err, null, false);
    }

    /** True when {@code runId} under {@code runsRoot} was planned from test classes (it has a {@link RunManifest}). */
    public static boolean isTestRun(String runId, Path runsRoot) {
        return RunManifest.existsIn(RunStore.open(RunStore.resolveRoot(runsRoot)).root().resolve(RunIds.validate(runId)));
    }

    /** The one place a sidecar mapper is made (its inputs may grow; keep call sites to one). */
    private static SidecarMapper sidecarMapper(String runId, String commit, String accelerator) {
        return new SidecarMapper(runId, commit, accelerator);
    }

    /** A planned variant's identity for its result line and sidecar. */
    private record Slot(Variant variant, KtstrTestEntry entry, KernelArtifacts kernel) {
    }

    /**
     * Everything one execution needs. {@code journaled} holds results a resumed run already has;
     * {@code jobs} are the jobs to hand the coordinator (a fresh run's plan, or a resumed run's pending ones).
     */
    private record Execution(Planned planned, RunDir runDir, SidecarMapper mapper, Map<String, Slot> slots,
                             List<RunManifest.PreResolved> preResolved, Map<String, JobResult> journaled, List<JobSpec> jobs,
                             boolean resume, RunOptions base, ArtifactStore artifacts) {
    }

    /** The executor's logs of a variant (its outcome's {@code logs}), in reading order; empty when it sent none. */
    static Map<String, String> logSections(JobResult r) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        dev.ktstr.protocol.outcome.VmLogs logs = r.outcome() == null ? null : r.outcome().logs();
        if (logs == null) return out;
        String[][] sections = {{logs.scheduler(), "scheduler output"}, {logs.guest(), "guest agent log"}, {logs.console(), "guest console"}};
        for (String[] s : sections) {
            if (s[0] != null && !s[0].isBlank()) out.put(s[1], s[0]);
        }
        return out;
    }

    /** The same code path for local and cluster mode, fresh and resumed runs. */
    private static Result execute(Execution x, RunTarget target, PrintStream out, PrintStream err,
                                  BiConsumer<VariantOutcome, String> onResult, boolean verbose) throws InterruptedException {
        List<VariantOutcome> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
        BiConsumer<VariantOutcome, Slot> record = (o, slot) -> {
            outcomes.add(o);
            Path fullLog = null;
            try {
                Path sidecar = x.runDir().write(x.mapper().map(o, slot.kernel()));
                Map<String, String> logs = logSections(o.result());
                if (!logs.isEmpty()) fullLog = x.runDir().writeLog(sidecar, logs);
            } catch (SidecarConflictException e) {
                // a resumed run re-reports results whose sidecar was written before the coordinator stopped
                if (!x.resume()) err.println("ktstr: " + e.getMessage());
            } catch (IOException | RuntimeException e) {
                err.println("ktstr: could not write the sidecar of " + o.variant().name() + ": " + e.getMessage());
            }
            out.println(ResultLines.line(o));
            if (verbose) out.println(ResultLines.phases(o));
            String report = null;
            if (o.result().status() != JobStatus.PASS && o.result().status() != JobStatus.SKIP) {
                report = ResultLines.failureReport(o, fullLog);
                out.println(report);
            }
            if (onResult != null) onResult.accept(o, report);
        };
        for (RunManifest.PreResolved p : x.preResolved()) {
            Slot s = x.slots().get(p.job().jobId());
            record.accept(new VariantOutcome(s.variant(), s.entry(), p.result()), s);
        }
        x.journaled().forEach((jobId, r) -> {
            Slot s = x.slots().get(jobId);
            if (s != null) record.accept(new VariantOutcome(s.variant(), s.entry(), r), s);
        });

        RunSummary summary = null;
        if (!x.jobs().isEmpty()) {
            RunOptions ro = target.options(x.jobs(), x.base());
            RunListener listener = new RunListener() {
                @Override
                public void onResult(JobResult r) {
                    Slot s = x.slots().get(r.jobId());
                    if (s != null) record.accept(new VariantOutcome(s.variant(), s.entry(), r), s);
                }
            };
            try (GauntletRun cluster = target.start()) {
                RunRequest request = new RunRequest(x.runDir().id(), x.resume() ? List.of() : x.jobs(), x.resume(), ro, listener,
                        x.artifacts());
                RunHandle handle = cluster.start(request);
                target.started(cluster, handle);
                summary = handle.await();
            }
        }
        err.println(summaryLine(outcomes, x.preResolved().size(), x.journaled().size(), summary, x.runDir().path()));
        return new Result(x.planned(), List.copyOf(outcomes), x.runDir(), summary);
    }

    /** The scheduler's {@code configFile} on this host; a missing file is the test's problem, named with its fix. */
    static Path schedulerConfigFile(Scheduler sched) throws IOException {
        Path p = Path.of(sched.configFile()).toAbsolutePath();
        if (!Files.isRegularFile(p)) {
            throw new IOException("scheduler " + sched.name() + " configFile " + p + " is not a readable file on this host:"
                    + " fix the path in its SchedulerDefinition");
        }
        return p;
    }

    /**
     * The one summary of a test run. Counts cover every variant (run now, resolved before dispatch,
     * or taken from the journal), so they add up to the variants printed above; timeouts and
     * infrastructure errors are failures, named apart. The coordinator's own figures follow.
     */
    static String summaryLine(List<VariantOutcome> outcomes, int preResolved, int fromJournal, RunSummary summary, Path dir) {
        Map<JobStatus, Integer> c = new java.util.EnumMap<>(JobStatus.class);
        for (JobStatus st : JobStatus.values()) c.put(st, 0);
        outcomes.forEach(o -> c.merge(o.result().status(), 1, Integer::sum));
        int failed = outcomes.size() - c.get(JobStatus.PASS) - c.get(JobStatus.SKIP) - c.get(JobStatus.INCONCLUSIVE);
        StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT,
                "ktstr: %d variant(s): %d passed, %d failed (%d timed out, %d infrastructure), %d skipped",
                outcomes.size(), c.get(JobStatus.PASS), failed, c.get(JobStatus.TIMEOUT), c.get(JobStatus.INFRA_ERROR),
                c.get(JobStatus.SKIP)));
        if (c.get(JobStatus.INCONCLUSIVE) > 0) b.append(", ").append(c.get(JobStatus.INCONCLUSIVE)).append(" inconclusive");
        List<String> origin = new ArrayList<>();
        if (preResolved > 0) origin.add(preResolved + " resolved before dispatch");
        if (fromJournal > 0) origin.add(fromJournal + " from the journal");
        if (!origin.isEmpty()) b.append(" [").append(String.join(", ", origin)).append(']');
        if (summary != null) {
            b.append(String.format(java.util.Locale.ROOT, "; run %s %.1f s, coordinator %.0f us/job", summary.runId(),
                    summary.wallMs() / 1000.0, summary.coordinatorMicrosPerJob()));
        }
        return b.append("; sidecars in ").append(dir).toString();
    }

    /** The run's {@link ArtifactStore} plus the manifest lines that let a later process offer the same files. */
    private static final class Offer {
        final ArtifactStore store = new ArtifactStore();
        final Map<String, RunManifest.Artifact> offered = new LinkedHashMap<>();

        ArtifactRef add(Path file, ArtifactRole role) throws IOException {
            ArtifactRef r = store.add(file, role);
            offered.putIfAbsent(r.sha256(), new RunManifest.Artifact(r.sha256(), r.size(), role, file.toAbsolutePath().toString()));
            return r;
        }

        List<RunManifest.Artifact> manifest() {
            return List.copyOf(offered.values());
        }
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
            Path p = IncludePaths.resolve(spec);
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
        // An explicit attach window is waited out in full by a scheduler that needs it.
        long attachS = cfg.attachTimeoutMs() == null ? 0 : cfg.attachTimeoutMs() / 1000;
        return Duration.ofSeconds(240L + 10L * cfg.durationS() + 8L * v.cpus() + attachS);
    }

    /** Discovery and planning output. */
    public record Planned(List<KtstrTestEntry> entries, List<Variant> variants, List<KernelArtifacts> kernels,
                          Map<String, KtstrTestEntry> byId, ClassLoader loader) {}

    /** A finished run. {@code runDir}/{@code summary} are null for a listing or an empty plan. */
    public record Result(Planned planned, List<VariantOutcome> outcomes, RunDir runDir, RunSummary summary) {
        public boolean allPassed() {
            return outcomes.stream().allMatch(o -> o.result().status() == JobStatus.PASS || o.result().status() == JobStatus.SKIP);
        }

        /**
         * {@code ktstr test}'s exit status: 1 when anything failed (timeouts and infrastructure errors
         * included), else 2 when a variant was inconclusive and its test does not allowInconclusive, else 0.
         */
        public int exitCode() {
            boolean inconclusive = false;
            for (VariantOutcome o : outcomes) {
                JobStatus s = o.result().status();
                if (s == JobStatus.INCONCLUSIVE) {
                    if (o.entry() == null || !o.entry().config().allowInconclusive()) inconclusive = true;
                } else if (s != JobStatus.PASS && s != JobStatus.SKIP) {
                    return 1;
                }
            }
            return inconclusive ? 2 : 0;
        }
    }

    /**
     * Whether a planned variant runs. Every gauntlet variant is "ignored" (run only with --gauntlet, which
     * planned it); a demo_* test stays out of the gauntlet too unless asked for (--include-ignored): its cases
     * may fail by design or need a scheduler that is built on demand.
     */
    static boolean runs(Variant v, boolean includeIgnored) {
        if (includeIgnored) return true;
        return !v.test().name().startsWith("demo_") && (!v.ignored() || v.gauntlet());
    }
}

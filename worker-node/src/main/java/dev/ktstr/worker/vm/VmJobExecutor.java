package dev.ktstr.worker.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.worker.host.HostContextProbe;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ktstr.protocol.guest.Deadlines;
import dev.ktstr.protocol.guest.GuestJob;
import dev.ktstr.protocol.guest.SchedulerLaunch;
import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.protocol.job.ArtifactRole;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.scenario.TestConfig;
import dev.ktstr.scenario.discovery.KtstrTestEntry;
import dev.ktstr.scenario.discovery.KtstrTests;
import dev.ktstr.scenario.report.ReportJson;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.SchedulerSpec;
import dev.ktstr.scenario.sched.Sysctl;
import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.worker.JobExecutor;
import dev.ktstr.worker.JobProgress;
import dev.ktstr.vmm.initramfs.BuiltInitramfs;
import dev.ktstr.vmm.initramfs.GuestRuntime;
import dev.ktstr.vmm.initramfs.GuestRuntimes;
import dev.ktstr.vmm.initramfs.IncludeSpec;
import dev.ktstr.vmm.initramfs.InitramfsBuilder;
import dev.ktstr.vmm.initramfs.InitramfsSpec;
import dev.ktstr.vmm.monitor.MonitorReport;
import dev.ktstr.vmm.monitor.MonitorVerdict;
import dev.ktstr.vmm.perf.AppliedPerf;
import dev.ktstr.vmm.perf.HostMemory;
import dev.ktstr.vmm.perf.HostReservation;
import dev.ktstr.vmm.perf.HostTopology;
import dev.ktstr.vmm.perf.MemoryPlacement;
import dev.ktstr.vmm.perf.PerfMode;
import dev.ktstr.vmm.perf.PerfPlan;
import dev.ktstr.vmm.perf.ResourceContentionException;
import dev.ktstr.vmm.qemu.Accel;
import dev.ktstr.vmm.qemu.AccelDecision;
import dev.ktstr.vmm.qemu.VcpuThread;
import dev.ktstr.vmm.qemu.QemuVm;
import dev.ktstr.vmm.qemu.RamBacking;
import dev.ktstr.vmm.qemu.VmExit;
import dev.ktstr.vmm.qemu.VmResult;
import dev.ktstr.vmm.qemu.VmSpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * The real executor: boots the job's kernel in QEMU with an initramfs holding the guest runtime,
 * the guest agent, the test jars and the scheduler, runs the test method in the guest, and turns
 * what the guest said (untrusted) plus how the VM ended into one {@link JobResult}.
 */
public final class VmJobExecutor implements JobExecutor {
    /** Host time on top of the guest's own deadlines: boot, JVM starts, teardown under TCG. */
    static final Duration HOST_MARGIN = Duration.ofSeconds(45);
    static final Duration VM_STOP_MARGIN = Duration.ofSeconds(15);
    /**
     * System property the CLI sets for {@code --no-perf-mode} (a JVM cannot set its own
     * environment); {@link PerfMode#NO_PERF_MODE_ENV} in the environment has the same effect.
     */
    public static final String NO_PERF_MODE_PROPERTY = "ktstr.noPerfMode";
    /** How long a performance-mode VM waits for host CPUs other VMs hold before it is skipped. */
    static final Duration PERF_RESERVATION_WAIT = Duration.ofSeconds(10);
    /** Guest RAM files for the host monitor live here (tmpfs: no disk I/O for guest memory). */
    static final Path SHARED_MEMORY_ROOT = Path.of("/dev/shm");
    /** Where performance mode mounts hugetlbfs (inside the cache) when pages are free but none is mounted. */
    static final String HUGETLBFS_MOUNT = "hugetlbfs";

    private final ArtifactCache artifacts;
    private final Path cacheRoot;
    private final AccelDecision accel;
    private final InitramfsBuilder initramfs;
    private final Consumer<String> liveLog;
    private final ObjectMapper json = ReportJson.mapper();
    /** This worker's host, probed once: every result carries it so a coordinator elsewhere records where a variant ran. */
    private volatile JsonNode hostContext;
    private volatile GuestRuntime runtime;
    private volatile Path guestJar;

    public VmJobExecutor(ArtifactCache artifacts, Path cacheRoot, AccelDecision accel, Consumer<String> liveLog) {
        this.artifacts = artifacts;
        this.cacheRoot = cacheRoot;
        this.accel = accel;
        this.initramfs = new InitramfsBuilder(cacheRoot);
        this.liveLog = liveLog;
    }

    @Override
    public String accelerator() {
        return accel.accel().name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public JobResult execute(JobSpec job, JobProgress progress) throws InterruptedException {
        long t0 = System.nanoTime();
        Map<String, Long> timings = new LinkedHashMap<>();
        Path initrd = null;
        Path staging = null;
        Path ramDir = null;
        HostReservation reservation = null;
        try {
            progress.phase("prepare");
            Path kernel = artifact(job, ArtifactRole.KERNEL_IMAGE)
                    .orElseThrow(() -> new IOException("job " + job.variantName() + " names no kernel image artifact"));
            List<Path> testJars = artifacts(job, ArtifactRole.TEST_JAR);
            if (testJars.isEmpty()) throw new IOException("job " + job.variantName() + " has no test jar artifact");
            // The artifact cache names files by digest; the guest classpath (/ktstr/lib/*) only takes *.jar names.
            staging = Files.createTempDirectory("ktstr-job-");
            List<Path> namedJars = new ArrayList<>();
            for (int i = 0; i < testJars.size(); i++) {
                namedJars.add(Files.createSymbolicLink(staging.resolve("test-" + i + ".jar"), testJars.get(i).toAbsolutePath()));
            }
            TestConfig config = resolveConfig(job, testJars);
            PerfMode.Decision perfDecision = PerfMode.decide(config.performanceMode(), Boolean.getBoolean(NO_PERF_MODE_PROPERTY),
                    System.getenv());
            if (perfDecision instanceof PerfMode.Decision.Skip skip) return skipped(job, timings, t0, skip.reason());

            GuestRuntime jre = runtime();
            List<Path> jars = new ArrayList<>();
            jars.add(guestJar());
            jars.addAll(namedJars);

            List<IncludeSpec> includes = new ArrayList<>();
            SchedulerLaunch launch = schedulerLaunch(job, config, includes);
            // Cache files are named by digest: place each at its host basename, as `-i NAME` would.
            for (ArtifactRef inc : job.artifacts()) {
                if (inc.role() == ArtifactRole.INCLUDE_FILE) {
                    includes.add(new IncludeSpec(artifacts.requireExecutable(inc), IncludeSpec.DEFAULT_GUEST_DIR + "/" + inc.name()));
                }
            }

            GuestJob guestJob = new GuestJob(GuestJob.SCHEMA_VERSION, job.variantName(), job.testClass(), job.testMethod(),
                    job.topology().render(), job.activeFlags(), config.durationS(), config.workersPerCgroup(), null,
                    json.valueToTree(config.assertion()), null, launch, guestDeadlines(job, config), Map.of(),
                    config.workConservationWatchdog());

            Map<String, byte[]> runFiles = new LinkedHashMap<>();
            runFiles.put(GuestJob.GUEST_PATH, json.writeValueAsBytes(guestJob));
            runFiles.put("/ktstr/bin/agent-start", resource("agent-start"));
            BuiltInitramfs built = initramfs.build(new InitramfsSpec(resource("init.sh"), true, Optional.of(jre), jars,
                    includes, runFiles));
            initrd = built.file();

            List<String> kargs = new ArrayList<>(List.of("ktstr.mode=test", "nokaslr", "sysctl.kernel.sched_schedstats=1"));
            for (Sysctl s : config.scheduler().sysctls()) kargs.add("sysctl." + s.key() + "=" + s.value());
            kargs.addAll(config.scheduler().kargsFor(job.topology().totalCpus()));
            int memoryMb = Math.max(job.memoryMb(), memoryFloorMb(built));
            if (perfDecision instanceof PerfMode.Decision.On) {
                try {
                    reservation = HostReservation.acquire(HostTopology.read(), job.topology(), memoryMb,
                            HostMemory.readOrMount(cacheRoot.resolve(HUGETLBFS_MOUNT)),
                            HostReservation.DEFAULT_DIR, PERF_RESERVATION_WAIT);
                } catch (ResourceContentionException e) {
                    // the host cannot give this VM exclusive CPUs now: not the scheduler's fault
                    return skipped(job, timings, t0, "performance mode: " + e.getMessage());
                }
            }
            Optional<Path> btf = artifact(job, ArtifactRole.KERNEL_BTF);
            Optional<Path> systemMap = artifact(job, ArtifactRole.SYSTEM_MAP);
            String monitorOff = btf.isEmpty() || systemMap.isEmpty()
                    ? "host monitor off: the job carries no " + (btf.isEmpty() ? "vmlinux.btf" : "System.map") + " of the kernel"
                    : !Files.isDirectory(SHARED_MEMORY_ROOT) ? "host monitor off: " + SHARED_MEMORY_ROOT + " does not exist"
                    : null;
            if (monitorOff == null) ramDir = Files.createTempDirectory(SHARED_MEMORY_ROOT, "ktstr-ram-");
            RamBacking ram = ramDir == null ? new RamBacking.Anonymous() : new RamBacking.SharedFile(ramDir);
            VmSpec spec = VmSpec.builder(kernel, initrd)
                    .name(vmName(job))
                    .topology(job.topology())
                    .memoryMb(reservation == null ? memoryMb : reservation.plan().memoryMb())
                    .ramBacking(reservation == null ? ram : reservation.ramBacking(ram))
                    .ramHostNodes(reservation == null ? List.of() : reservation.plan().guestNodeHostNodes())
                    .accel(accel)
                    .port("ktstr.data")
                    .kernelArgs(kargs)
                    // QEMU's deadline comes 15 s before the job's: the executor must stop the VM and return
                    // a classified TIMEOUT with the console and guest logs before the worker's backstop
                    // (same deadline as the job) drops the attempt without them.
                    .timeout(Duration.ofMillis(Math.max(10_000, job.timeoutMs() - VM_STOP_MARGIN.toMillis())))
                    .build();

            progress.phase("boot");
            timings.put("host_prepare", ms(t0));
            long tBoot = System.nanoTime();
            PerfPlan plan = reservation == null ? null : reservation.plan();
            boolean kvm = accel.accel() == Accel.KVM;
            // The 4 s default is tuned for KVM; under TCG the emulated guest misses it while healthy
            // (measured: scx_simple ejected after 4.001 s). Keep the scheduler's own timeout there
            // unless the test asked for a value.
            boolean keepSchedulerWatchdog = accel.accel() == dev.ktstr.vmm.qemu.Accel.TCG
                    && config.watchdogTimeoutS() == TestConfig.DEFAULT_WATCHDOG_TIMEOUT_S;
            OptionalDouble watchdog = config.scheduler().binary() instanceof SchedulerSpec.Eevdf || keepSchedulerWatchdog
                    ? OptionalDouble.empty() : OptionalDouble.of(config.watchdogTimeoutS());
            QemuVm.Outcome<Boot> outcome = QemuVm.runRetryingOnce(spec, vm -> {
                Boot b = new Boot(new GuestSession(json), System.nanoTime());
                if (plan != null) b.perf = applyPerf(plan, vm, kvm);
                List<String> pinWarnings = java.util.Collections.synchronizedList(new ArrayList<>());
                if (monitorOff == null) {
                    Runnable setup = plan == null ? () -> { } : () -> PerfMode.pinCurrentThread(plan, kvm).ifPresent(pinWarnings::add);
                    try {
                        b.monitor = MonitorRun.start(vm, systemMap.get(), btf.get(), watchdog, progress, setup);
                    } catch (IOException | RuntimeException e) {
                        b.monitorError = "host monitor did not start: " + e.getMessage();
                    }
                } else {
                    b.monitorError = monitorOff;
                }
                try {
                    b.session.readAll(vm.port("ktstr.data").in(), liveLog);
                } finally {
                    // the monitor maps guest RAM: unmap before QEMU's files go away with the VM
                    if (b.monitor != null) b.monitor.stop();
                }
                if (b.perf != null) pinWarnings.forEach(w -> b.perf.withArray("warnings").add(w));
                return b;
            });
            long vmMs = ms(tBoot);
            timings.put("vm", vmMs);
            Boot boot = outcome.value();
            GuestSession s = boot.session;
            VmResult vm = outcome.result();
            vm.timeToConsole().ifPresent(d -> timings.put("qemu_start", d.toMillis()));
            if (vm.timeToConsole().isPresent() && vm.timeToInit().isPresent()) {
                timings.put("kernel_to_init", vm.timeToInit().get().minus(vm.timeToConsole().get()).toMillis());
            }
            if (s.helloAtMs >= 0) timings.put("boot", s.helloAtMs);
            if (s.helloAtMs >= 0 && s.scenarioStartAtMs >= s.helloAtMs) timings.put("agent_ready", s.scenarioStartAtMs - s.helloAtMs);
            if (s.scenarioStartAtMs >= 0 && s.scenarioEndAtMs >= s.scenarioStartAtMs) {
                timings.put("scenario", s.scenarioEndAtMs - s.scenarioStartAtMs);
            } else if (s.helloAtMs >= 0 && s.resultAtMs >= 0) {
                timings.put("scenario", s.resultAtMs - s.helloAtMs);
            }
            guestPhase(timings, s.phases, "agentJvmMs", "agent_jvm");
            guestPhase(timings, s.phases, "schedulerAttachMs", "scheduler_attach");
            guestPhase(timings, s.phases, "workerSpawnMs", "worker_spawn");
            guestPhase(timings, s.phases, "collectionMs", "collection");
            guestPhase(timings, s.phases, "cleanupMs", "guest_cleanup");
            long lastGuestWord = Math.max(s.resultAtMs, s.exitAtMs);
            if (lastGuestWord >= 0) timings.put("teardown", Math.max(0, vmMs - lastGuestWord));
            timings.put("total", ms(t0));
            return verdict(job, config, boot, vm, timings, built);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            timings.put("total", ms(t0));
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            JobStatus status = e instanceof KtstrSetupException ? JobStatus.FAIL : JobStatus.INFRA_ERROR;
            return new JobResult(job.jobId(), job.variantName(), status, Sanitize.line(msg), stack(e), null,
                    accelerator(), timings, job.attempt(), null);
        } finally {
            if (reservation != null) reservation.close();
            if (ramDir != null) deleteTree(ramDir);
            if (staging != null) {
                try (var files = Files.list(staging)) {
                    for (Path f : (Iterable<Path>) files::iterator) Files.deleteIfExists(f);
                    Files.deleteIfExists(staging);
                } catch (IOException ignored) {
                    // a leftover staging dir of symlinks in the temp dir is harmless
                }
            }
            if (initrd != null) {
                try {
                    Files.deleteIfExists(initrd);
                } catch (IOException ignored) {
                    // a leftover per-run initramfs in the temp dir is harmless
                }
            }
        }
    }

    /** Copies one guest-measured phase (untrusted: only a non-negative integral number is taken). */
    private static void guestPhase(Map<String, Long> timings, JsonNode phases, String field, String key) {
        if (phases == null) return;
        JsonNode v = phases.get(field);
        if (v != null && v.canConvertToLong() && v.asLong() >= 0) timings.put(key, v.asLong());
    }

    /** What one boot produced: the guest's frames, the monitor, and the performance-mode pinning. */
    private static final class Boot {
        final GuestSession session;
        final long sessionStartNanos;
        MonitorRun monitor;
        String monitorError;
        ObjectNode perf;

        Boot(GuestSession session, long sessionStartNanos) {
            this.session = session;
            this.sessionStartNanos = sessionStartNanos;
        }
    }

    /**
     * Pins QEMU per the plan and reads back each vCPU thread's {@code Cpus_allowed_list}; a vCPU
     * that is not on its planned CPU afterwards is an infrastructure error, not a noisy result.
     */
    private ObjectNode applyPerf(PerfPlan plan, QemuVm vm, boolean kvm) throws IOException {
        List<VcpuThread> vcpus = vm.vcpuThreads();
        AppliedPerf applied = PerfMode.apply(plan, vm, vcpus, kvm);
        ObjectNode n = json.createObjectNode();
        n.put("service_cpu", plan.serviceCpu());
        n.put("realtime_vcpus", applied.realtimeVcpus());
        n.put("service_threads_pinned", applied.pinnedService().size());
        MemoryPlacement mem = applied.memory();
        n.put("hugepages", mem.hugepages());
        n.put("memory_backing", mem.backing());
        mem.fallbackReason().ifPresent(r -> n.put("memory_fallback_reason", r));
        n.put("memory_mb", mem.memoryMb());
        ArrayNode hostNodes = n.putArray("host_nodes");
        for (java.util.Set<Integer> guestNode : mem.hostNodes()) guestNode.forEach(hostNodes.addArray()::add);
        ArrayNode arr = n.putArray("vcpus");
        for (VcpuThread v : vcpus) {
            int planned = plan.vcpuHostCpu().get(v.cpuIndex());
            String allowed = cpusAllowed(vm.pid(), v.hostThreadId());
            if (!allowed.equals(Integer.toString(planned))) {
                throw new IOException("performance mode: vCPU " + v.cpuIndex() + " (thread " + v.hostThreadId() + ") has Cpus_allowed_list "
                        + allowed + " after pinning, planned host CPU " + planned);
            }
            ObjectNode e = arr.addObject();
            e.put("vcpu", v.cpuIndex());
            e.put("thread", v.hostThreadId());
            e.put("host_cpu", planned);
            e.put("cpus_allowed_list", allowed);
            if (liveLog != null) {
                liveLog.accept("perf: vCPU " + v.cpuIndex() + " thread " + v.hostThreadId() + " Cpus_allowed_list=" + allowed
                        + ", service CPU " + plan.serviceCpu());
            }
        }
        ArrayNode w = n.putArray("warnings");
        applied.warnings().forEach(w::add);
        if (liveLog != null) applied.warnings().forEach(x -> liveLog.accept("perf: WARNING " + x));
        return n;
    }

    static String cpusAllowed(long pid, long tid) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "status");
        for (String l : Files.readAllLines(status)) {
            if (l.startsWith("Cpus_allowed_list:")) return l.substring("Cpus_allowed_list:".length()).strip();
        }
        throw new IOException(status + " has no Cpus_allowed_list line");
    }

    private JobResult skipped(JobSpec job, Map<String, Long> timings, long t0, String reason) {
        timings.put("total", ms(t0));
        ObjectNode payload = json.createObjectNode();
        payload.put("skip_reason", Sanitize.line(reason));
        return new JobResult(job.jobId(), job.variantName(), JobStatus.SKIP, Sanitize.line("skipped: " + reason), "", null,
                accelerator(), timings, job.attempt(), payload);
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // QEMU removes its RAM file itself; an empty dir left in /dev/shm holds no memory
        }
    }

    /** Host-side monitor results into the payload; returns the monitor checks' verdict when they apply. */
    private MonitorVerdict monitor(ObjectNode payload, TestConfig config, Boot b, boolean guestPassed) {
        if (b.monitor == null) {
            if (b.monitorError != null) payload.put("monitor_note", Sanitize.line(b.monitorError));
            return null;
        }
        MonitorReport rep = b.monitor.stop();
        GuestSession s = b.session;
        long start = s.scenarioStartAtMs >= 0 ? b.sessionStartNanos + s.scenarioStartAtMs * 1_000_000 : -1;
        long end = s.scenarioEndAtMs >= 0 ? b.sessionStartNanos + s.scenarioEndAtMs * 1_000_000 : -1;
        Map<String, Double> nr = b.monitor.nrRunningMetrics(start, end);
        long enabledMs = b.monitor.scxEnabledForMs();
        if (enabledMs >= 0) nr.put("scx_enabled_for_ms", (double) enabledMs);
        nr.put("watchdog_writes", (double) rep.watchdogWrites());
        if (rep.watchdogJiffies() >= 0) nr.put("watchdog_jiffies", (double) rep.watchdogJiffies());
        nr.put("hz", (double) rep.hz());
        nr.put("mean_tick_us", rep.meanTickNs() / 1000.0);
        nr.put("max_tick_us", rep.maxTickNs() / 1000.0);
        payload.set("monitor_metrics", json.valueToTree(nr));
        ArrayNode problems = payload.putArray("monitor_problems");
        rep.problems().forEach(p -> problems.add(Sanitize.line(p)));
        payload.put("monitor_scx_seen", b.monitor.scxSeen());
        if (enabledMs >= 0) payload.put("scx_enabled_for_ms", enabledMs);
        if (config.scheduler().binary() instanceof SchedulerSpec.Eevdf) {
            payload.put("monitor_note", "monitor checks not run: EEVDF (imbalance and DSQ depth say nothing about it)");
            return null;
        }
        if (!guestPassed) {
            payload.put("monitor_note", "monitor checks not run: the guest verdict already failed");
            return null;
        }
        if (!b.monitor.scxSeen()) {
            payload.put("monitor_note", "monitor checks not run: no sched_ext scheduler was seen enabled by the monitor");
            return null;
        }
        MonitorVerdict v = b.monitor.evaluate(MonitorRun.forAccelerator(config.assertion(), accel.accel()));
        payload.set("monitor", json.valueToTree(v.summary()));
        ArrayNode viol = payload.putArray("monitor_violations");
        v.violations().forEach(viol::add);
        if (!v.note().isEmpty()) payload.put("monitor_note", v.note());
        return v;
    }

    private JobResult verdict(JobSpec job, TestConfig config, Boot boot, VmResult vm, Map<String, Long> timings,
                              BuiltInitramfs built) {
        GuestSession s = boot.session;
        VmExit exit = vm.exit();
        ObjectNode payload = json.createObjectNode();
        payload.put("accelerator", vm.accel().accel().name().toLowerCase(java.util.Locale.ROOT));
        payload.put("accelerator_reason", vm.accel().reason());
        payload.put("machine", vm.machine().name().toLowerCase(java.util.Locale.ROOT));
        payload.put("vm_exit", Sanitize.line(exit.describe()));
        payload.put("vm_retries", vm.retriedAfter().size());
        payload.put("expect_err", config.expectErr());
        payload.put("scheduler", config.scheduler().displayName());
        payload.put("initramfs_base_bytes", built.baseBytes());
        payload.put("initramfs_suffix_bytes", built.suffixBytes());
        payload.put("initramfs_base_cache_hit", built.baseCacheHit());
        if (s.hello != null) payload.set("hello", s.hello);
        if (s.result != null) payload.set("result", s.result);
        if (s.exit != null) payload.set("exit", s.exit);
        if (s.schedExit != null) payload.set("sched_exit", s.schedExit);
        if (s.phases != null) payload.set("guest_phases", s.phases);
        if (!s.watchdog.isEmpty()) {
            ArrayNode wd = payload.putArray("watchdog_events");
            s.watchdog.forEach(wd::add);
        }
        ArrayNode reports = payload.putArray("worker_reports");
        s.workerReports.forEach(reports::add);
        ArrayNode stimuli = payload.putArray("stimulus_events");
        s.stimuli.forEach(stimuli::add);
        ArrayNode problems = payload.putArray("channel_problems");
        s.problems.forEach(problems::add);
        if (config.cleanupBudgetMs() != null) payload.put("cleanup_budget_ms", config.cleanupBudgetMs());
        if (boot.perf != null) payload.set("perf", boot.perf);

        logs(payload, vm, s);
        payload.set("host", host());
        String consoleTail = Sanitize.block(vm.consoleTail(), 60);
        String guestLogTail = String.join("\n", s.logs.subList(Math.max(0, s.logs.size() - 60), s.logs.size()));

        JobStatus status;
        String message;
        StringBuilder details = new StringBuilder();
        if (exit instanceof VmExit.Timeout) {
            monitor(payload, config, boot, false);
            status = JobStatus.TIMEOUT;
            message = "VM " + exit.describe();
        } else if (exit.infrastructureFailure() || exit instanceof VmExit.QemuError) {
            status = JobStatus.INFRA_ERROR;
            message = exit.describe();
        } else if (s.result == null) {
            monitor(payload, config, boot, false);
            boolean failed = true;
            message = s.schedExit != null ? "scheduler died: " + text(s.schedExit, "reason") + " " + text(s.schedExit, "detail")
                    : s.crash != null ? "guest agent crashed"
                    : exit instanceof VmExit.KernelPanic ? "guest kernel panicked: " + exit.describe()
                    : "guest agent produced no result (" + exit.describe() + ")";
            if (s.schedExit != null) details.append("--- scheduler log tail ---\n").append(Sanitize.block(text(s.schedExit, "logTail"), 40)).append('\n');
            if (s.crash != null) details.append("--- agent crash ---\n").append(s.crash).append('\n');
            // A guest kernel crash is never the failure a test expects: it fails expectErr tests too.
            status = config.expectErr() && failed && !(exit instanceof VmExit.KernelPanic) ? JobStatus.PASS : JobStatus.FAIL;
            if (status == JobStatus.PASS) message = "failed as expected: " + message;
        } else {
            boolean passed = s.result.path("passed").asBoolean(false);
            boolean skipped = s.result.path("skipped").asBoolean(false);
            boolean guestPassed = passed;
            Long budget = config.cleanupBudgetMs();
            Long teardown = timings.get("teardown");
            if (passed && budget != null && teardown != null && teardown > budget) {
                passed = false;
                details.append("teardown took ").append(teardown).append(" ms, over cleanupBudgetMs=").append(budget).append('\n');
            }
            MonitorVerdict mv = skipped ? null : monitor(payload, config, boot, guestPassed);
            boolean monitorFailed = mv != null && !mv.passed();
            if (monitorFailed) passed = false;
            String failure = monitorFailed ? Sanitize.line("MONITOR: " + mv.violations().get(0)) : firstDetail(s.result);
            if (skipped) {
                status = JobStatus.SKIP;
                message = "skipped: " + firstDetail(s.result);
            } else if (config.expectErr()) {
                status = passed ? JobStatus.FAIL : JobStatus.PASS;
                message = passed ? "expected test to fail but it passed" : "failed as expected: " + failure;
            } else {
                status = passed ? JobStatus.PASS : JobStatus.FAIL;
                message = passed ? "passed" : failure;
            }
            if (monitorFailed) {
                for (String v : mv.violations()) details.append("  MONITOR: ").append(Sanitize.line(v)).append('\n');
            }
            if (!passed && !guestPassed) details.append(failureDetails(s.result));
        }
        if (status != JobStatus.PASS && status != JobStatus.SKIP) {
            if (!guestLogTail.isEmpty()) details.append("--- guest log (last lines) ---\n").append(guestLogTail).append('\n');
            details.append("--- console (last lines) ---\n").append(consoleTail).append('\n');
            payload.put("console_tail", consoleTail);
        }
        return new JobResult(job.jobId(), job.variantName(), status, Sanitize.line(message), details.toString(), null,
                payload.path("accelerator").asText(), timings, job.attempt(), payload);
    }

    private JsonNode host() {
        JsonNode h = hostContext;
        if (h == null) hostContext = h = json.valueToTree(HostContextProbe.capture());
        return h;
    }

    /**
     * The variant's logs, whole as far as the caps allow, so the run directory keeps what a failure
     * report only quotes: the console, every guest agent line, the scheduler's output (exit dumps
     * run to hundreds of lines). Guest text is untrusted: control characters are stripped. The caps
     * keep a result inside one cluster message.
     */
    private static void logs(ObjectNode payload, VmResult vm, GuestSession s) {
        ObjectNode logs = payload.putObject("logs");
        logs.put("console", Sanitize.tail(Sanitize.block(vm.consoleTail(), VmResult.TAIL_LINES), 64 * 1024));
        logs.put("guest", Sanitize.tail(Sanitize.block(String.join("\n", s.logs), 4000), 128 * 1024));
        String sched = s.schedExit == null ? "" : s.schedExit.path("log").asText("");
        if (!sched.isEmpty()) logs.put("scheduler", Sanitize.tail(Sanitize.block(sched, 4000), 96 * 1024));
    }

    private static String firstDetail(JsonNode result) {
        for (JsonNode d : result.path("details")) {
            String m = d.path("message").asText("");
            if (!m.isEmpty()) return Sanitize.line(d.path("kind").asText("") + ": " + m);
        }
        return "no detail";
    }

    private static String failureDetails(JsonNode result) {
        StringBuilder b = new StringBuilder();
        for (JsonNode d : result.path("details")) {
            b.append("  ").append(Sanitize.line(d.path("kind").asText(""))).append(": ")
                    .append(Sanitize.line(d.path("message").asText(""))).append('\n');
        }
        return b.toString();
    }

    private static String text(JsonNode n, String field) {
        return n.path(field).asText("");
    }

    private TestConfig resolveConfig(JobSpec job, List<Path> testJars) throws IOException {
        List<URL> urls = new ArrayList<>();
        for (Path j : testJars) urls.add(j.toUri().toURL());
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), getClass().getClassLoader())) {
            KtstrTestEntry entry;
            try {
                entry = KtstrTests.find(job.testClass() + "#" + job.testMethod(), loader);
            } catch (RuntimeException e) {
                throw new KtstrSetupException("cannot load test " + job.testClass() + "#" + job.testMethod() + ": " + e.getMessage(), e);
            }
            return entry.config().withTopology(job.topology());
        }
    }

    private SchedulerLaunch schedulerLaunch(JobSpec job, TestConfig config, List<IncludeSpec> includes) throws IOException {
        Scheduler sched = config.scheduler();
        SchedulerSpec spec = sched.binary();
        if (spec instanceof SchedulerSpec.Eevdf) return null;
        if (spec instanceof SchedulerSpec.KernelBuiltin kb) {
            return new SchedulerLaunch(sched.name(), SchedulerLaunch.Kind.KERNEL_BUILTIN, null, job.schedulerArgs(),
                    sched.cgroupParent(), kb.enable(), kb.disable());
        }
        ArtifactRef bin = job.artifacts().stream().filter(a -> a.role() == ArtifactRole.SCHEDULER).findFirst()
                .orElseThrow(() -> new KtstrSetupException("scheduler " + sched.displayName() + " of " + job.variantName()
                        + " has no binary artifact: the coordinator could not find it (set KTSTR_SCHEDULER or build the kernel's schedulers)"));
        Path host = artifacts.requireExecutable(bin);
        String guestPath = "/ktstr/sched/" + bin.name();
        includes.add(new IncludeSpec(host, guestPath));
        return new SchedulerLaunch(sched.name(), SchedulerLaunch.Kind.BINARY, guestPath, job.schedulerArgs(),
                sched.cgroupParent(), List.of(), List.of());
    }

    /** The attach window scaled for this VM ({@link Deadlines#forVm}) unless the test or scheduler sets its own. */
    private Deadlines guestDeadlines(JobSpec job, TestConfig config) {
        Deadlines d = Deadlines.forVm(accel.accel() == Accel.TCG, job.topology().totalCpus());
        if (config.attachTimeoutMs() != null) d = d.withSchedAttachMs(config.attachTimeoutMs());
        return d.withTestTimeoutMs(Math.max(10_000, job.timeoutMs() - HOST_MARGIN.toMillis()));
    }

    private Optional<Path> artifact(JobSpec job, ArtifactRole role) {
        return job.artifacts().stream().filter(a -> a.role() == role).findFirst().map(artifacts::require);
    }

    private List<Path> artifacts(JobSpec job, ArtifactRole role) {
        return job.artifacts().stream().filter(a -> a.role() == role).map(artifacts::require).toList();
    }

    private GuestRuntime runtime() throws IOException {
        GuestRuntime r = runtime;
        if (r == null) {
            synchronized (this) {
                if (runtime == null) runtime = GuestRuntimes.obtain(cacheRoot);
                r = runtime;
            }
        }
        return r;
    }

    private Path guestJar() throws IOException {
        Path j = guestJar;
        if (j == null) {
            synchronized (this) {
                if (guestJar == null) guestJar = GuestClasspath.guestJar(cacheRoot);
                j = guestJar;
            }
        }
        return j;
    }

    static byte[] resource(String name) throws IOException {
        String path = "dev/ktstr/guest/" + name;
        try (InputStream in = VmJobExecutor.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("guest resource " + path + " is missing from the classpath (module ktstr-guest-agent)");
            }
            return in.readAllBytes();
        }
    }

    /**
     * The guest must hold the initramfs twice while unpacking it (the archive and the tmpfs copy)
     * and still have room for the workload; below this the kernel fails with "Initramfs unpacking
     * failed: write error" and the sentinel file is missing.
     */
    static int memoryFloorMb(BuiltInitramfs built) {
        long initrdMb = (built.baseBytes() + built.suffixBytes() + (1 << 20) - 1) >> 20;
        return (int) Math.min(Integer.MAX_VALUE, 2 * initrdMb + 256);
    }

    private static String vmName(JobSpec job) {
        String n = job.variantName().replaceAll("[^A-Za-z0-9._-]", "_");
        return n.length() > 64 ? n.substring(n.length() - 64) : n;
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    private static String stack(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return Sanitize.block(w.toString(), 30);
    }

    /** A problem with the job's definition rather than the platform: reported as a test failure. */
    static final class KtstrSetupException extends IOException {
        private static final long serialVersionUID = 1L;

        KtstrSetupException(String message) {
            super(message);
        }

        KtstrSetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

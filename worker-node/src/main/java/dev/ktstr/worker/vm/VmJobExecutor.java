package dev.ktstr.worker.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ktstr.host.HostContextProbe;
import dev.ktstr.host.LeftoverReaper;
import dev.ktstr.host.OwnedTempFiles;
import dev.ktstr.protocol.guest.GuestPhases;
import dev.ktstr.protocol.outcome.InitramfsStats;
import dev.ktstr.protocol.outcome.MonitorOutcome;
import dev.ktstr.protocol.outcome.PerfPinning;
import dev.ktstr.protocol.outcome.VmEnd;
import dev.ktstr.protocol.outcome.VmLogs;
import dev.ktstr.protocol.outcome.VmOutcome;
import dev.ktstr.protocol.outcome.VmRun;
import dev.ktstr.protocol.sidecar.HostContext;
import dev.ktstr.protocol.guest.Deadlines;
import dev.ktstr.protocol.guest.GuestJob;
import dev.ktstr.protocol.guest.SchedulerLaunch;
import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.protocol.job.ArtifactRole;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.scenario.TestConfig;
import dev.ktstr.scenario.report.ReportJson;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.SchedulerSpec;
import dev.ktstr.scenario.sched.Sysctl;
import dev.ktstr.worker.ArtifactCache;
import dev.ktstr.worker.JobExecutor;
import dev.ktstr.worker.JobProgress;
import dev.ktstr.protocol.guest.GuestJvm;
import dev.ktstr.vmm.initramfs.BuiltInitramfs;
import dev.ktstr.vmm.initramfs.GuestArchives;
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
import dev.ktstr.protocol.topology.Topology;
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

    static Duration vmTimeout(JobSpec job) {
        return Duration.ofMillis(Math.max(10_000, job.timeoutMs() - VM_STOP_MARGIN.toMillis()));
    }

    /**
     * The guest's /init must print its start marker within this, or the boot counts as hung: stopped early,
     * retried once at the VM level, then an infrastructure error the coordinator retries elsewhere, instead of
     * burning the whole test deadline and reading as the test's TIMEOUT. None when it would not come before
     * the VM's own deadline.
     */
    static java.util.Optional<Duration> bootDeadline(Topology topology, Duration vmTimeout) {
        Duration boot = VmSpec.suggestedBootTimeout(topology);
        return boot.compareTo(vmTimeout) < 0 ? java.util.Optional.of(boot) : java.util.Optional.empty();
    }
    /**
     * System property the CLI sets for {@code --no-perf-mode} (a JVM cannot set its own
     * environment); {@link PerfMode#NO_PERF_MODE_ENV} in the environment has the same effect.
     */
    public static final String NO_PERF_MODE_PROPERTY = "ktstr.noPerfMode";
    /** How long a performance-mode VM waits for host CPUs other VMs hold before it is skipped. */
    static final Duration PERF_RESERVATION_WAIT = Duration.ofSeconds(10);
    /** Guest RAM files for the host monitor live here (tmpfs: no disk I/O for guest memory). */
    static final Path SHARED_MEMORY_ROOT = Path.of("/dev/shm");
    /** Per-job staging (jar links) under java.io.tmpdir and guest RAM under /dev/shm, named by {@link OwnedTempFiles}. */
    static final String JOB_DIR_PREFIX = "ktstr-job-";
    static final String RAM_DIR_PREFIX = "ktstr-ram-";
    /** Where performance mode mounts hugetlbfs (inside the cache) when pages are free but none is mounted. */
    static final String HUGETLBFS_MOUNT = "hugetlbfs";

    private final ArtifactCache artifacts;
    private final Path cacheRoot;
    private final AccelDecision accel;
    private final InitramfsBuilder initramfs;
    private final Consumer<String> liveLog;
    private final ObjectMapper json = ReportJson.mapper();
    /** This worker's host, probed once: every result carries it so a coordinator elsewhere records where a variant ran. */
    private volatile HostContext hostContext;
    private volatile GuestRuntime runtime;
    private volatile Path guestJar;
    private volatile GuestArchives.Result aot;
    /** Fault-model tests only: damages the guest data channel on its way to the reader. */
    private volatile ChannelFault channelFault;

    public VmJobExecutor(ArtifactCache artifacts, Path cacheRoot, AccelDecision accel, Consumer<String> liveLog) {
        this.artifacts = artifacts;
        this.cacheRoot = cacheRoot;
        this.accel = accel;
        this.initramfs = new InitramfsBuilder(cacheRoot);
        this.liveLog = liveLog;
    }

    /** Puts {@code fault} between QEMU's data-port socket and the frame reader of every VM from now on (tests of the fault model). */
    public VmJobExecutor injectChannelFault(ChannelFault fault) {
        this.channelFault = fault;
        return this;
    }

    /**
     * Removes what VM executors of dead ktstr processes left on this host: job staging dirs, VM run
     * dirs (and a QEMU still running for one) under java.io.tmpdir, guest RAM under /dev/shm. A
     * SIGKILL of the whole process group or cgroup kills QEMU's watchdog too, so nobody else would.
     * Call once when a worker or local mode starts, before any VM of this JVM.
     */
    public static LeftoverReaper.Result reapLeftovers(Consumer<String> log) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        LeftoverReaper.Result r = LeftoverReaper.reap(tmp, QemuVm.RUN_DIR_PREFIX)
                .plus(LeftoverReaper.reap(tmp, JOB_DIR_PREFIX))
                .plus(LeftoverReaper.reap(SHARED_MEMORY_ROOT, RAM_DIR_PREFIX));
        r.summary().ifPresent(log);
        return r;
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
            staging = OwnedTempFiles.createDirectory(JOB_DIR_PREFIX);
            List<Path> namedJars = new ArrayList<>();
            for (int i = 0; i < testJars.size(); i++) {
                namedJars.add(Files.createSymbolicLink(staging.resolve("test-" + i + ".jar"), testJars.get(i).toAbsolutePath()));
            }
            TestConfig config = testConfig(job);
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
                    json.valueToTree(config.assertion()), job.testConfig(), launch, guestDeadlines(job, config), Map.of(),
                    config.workConservationWatchdog().resolvedFor(accel.accel() == Accel.TCG));

            Map<String, byte[]> runFiles = new LinkedHashMap<>();
            GuestArchives.Result aot = aotCache(jre, jars.get(0));
            if (aot.cache() != null) includes.add(new IncludeSpec(aot.cache(), GuestArchives.GUEST_PATH));
            runFiles.put(GuestJvm.CLASSPATH_FILE, GuestJvm.classpath(jars.stream().map(j -> j.getFileName().toString()).toList())
                    .getBytes(StandardCharsets.UTF_8));
            runFiles.put(GuestJvm.FLAGS_FILE, String.join(" ", GuestJvm.AGENT_FLAGS).getBytes(StandardCharsets.UTF_8));
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
            if (monitorOff == null) ramDir = OwnedTempFiles.createDirectory(SHARED_MEMORY_ROOT, RAM_DIR_PREFIX);
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
                    .timeout(vmTimeout(job))
                    .bootTimeout(bootDeadline(job.topology(), vmTimeout(job)).orElse(null))
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
                try {
                    b.runDelay = VcpuRunDelaySampler.start(vm.pid(), vm.vcpuThreads());
                } catch (IOException | RuntimeException e) {
                    if (liveLog != null) liveLog.accept("vCPU run-delay sampling off: " + e.getMessage());
                }
                List<String> pinWarnings = java.util.Collections.synchronizedList(new ArrayList<>());
                if (monitorOff == null) {
                    Runnable setup = plan == null ? () -> { } : () -> PerfMode.pinCurrentThread(plan, kvm).ifPresent(pinWarnings::add);
                    try {
                        b.monitor = MonitorRun.start(vm, systemMap.get(), btf.get(), watchdog, progress, setup);
                        if (!(config.scheduler().binary() instanceof SchedulerSpec.Eevdf)) {
                            b.monitor.onFirstViolation(MonitorRun.forAccelerator(config.assertion(), accel.accel()),
                                    violation -> askForSchedExtDump(vm, violation));
                        }
                    } catch (IOException | RuntimeException e) {
                        b.monitorError = "host monitor did not start: " + e.getMessage();
                    }
                } else {
                    b.monitorError = monitorOff;
                }
                try {
                    InputStream data = vm.port("ktstr.data").in();
                    ChannelFault fault = channelFault;
                    b.session.readAll(fault == null ? data : fault.apply(data), liveLog);
                } finally {
                    // the monitor maps guest RAM: unmap before QEMU's files go away with the VM
                    if (b.monitor != null) b.monitor.stop();
                    if (b.runDelay != null) b.hostStarvation = b.runDelay.result();
                }
                if (b.perf != null && !pinWarnings.isEmpty()) b.perf = b.perf.withWarnings(List.copyOf(pinWarnings));
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
            GuestPhases gp = s.phases;
            if (gp != null) {
                guestPhase(timings, gp.agentJvmMs(), "agent_jvm");
                guestPhase(timings, gp.schedulerAttachMs(), "scheduler_attach");
                guestPhase(timings, gp.workerSpawnMs(), "worker_spawn");
                guestPhase(timings, gp.collectionMs(), "collection");
                guestPhase(timings, gp.cleanupMs(), "guest_cleanup");
            }
            long lastGuestWord = Math.max(s.resultAtMs, s.exitAtMs);
            if (lastGuestWord >= 0) timings.put("teardown", Math.max(0, vmMs - lastGuestWord));
            timings.put("total", ms(t0));
            return completed(job, config, boot, vm, timings, built);
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

    /** Copies one guest-measured phase (untrusted: only a non-negative number is taken). */
    private static void guestPhase(Map<String, Long> timings, Long v, String key) {
        if (v != null && v >= 0) timings.put(key, v);
    }

    /** What one boot produced: the guest's frames, the monitor, and the performance-mode pinning. */
    private static final class Boot {
        final GuestSession session;
        final long sessionStartNanos;
        MonitorRun monitor;
        String monitorError;
        PerfPinning perf;
        VcpuRunDelaySampler runDelay;
        dev.ktstr.protocol.outcome.HostStarvation hostStarvation;

        Boot(GuestSession session, long sessionStartNanos) {
            this.session = session;
            this.sessionStartNanos = sessionStartNanos;
        }
    }

    /**
     * Pins QEMU per the plan and reads back each vCPU thread's {@code Cpus_allowed_list}; a vCPU
     * that is not on its planned CPU afterwards is an infrastructure error, not a noisy result.
     */
    private PerfPinning applyPerf(PerfPlan plan, QemuVm vm, boolean kvm) throws IOException {
        List<VcpuThread> vcpus = vm.vcpuThreads();
        AppliedPerf applied = PerfMode.apply(plan, vm, vcpus, kvm);
        MemoryPlacement mem = applied.memory();
        List<List<Integer>> hostNodes = new ArrayList<>();
        for (java.util.Set<Integer> guestNode : mem.hostNodes()) hostNodes.add(new ArrayList<>(guestNode));
        List<PerfPinning.VcpuPin> pins = new ArrayList<>();
        for (VcpuThread v : vcpus) {
            int planned = plan.vcpuHostCpu().get(v.cpuIndex());
            String allowed = cpusAllowed(vm.pid(), v.hostThreadId());
            if (!allowed.equals(Integer.toString(planned))) {
                throw new IOException("performance mode: vCPU " + v.cpuIndex() + " (thread " + v.hostThreadId() + ") has Cpus_allowed_list "
                        + allowed + " after pinning, planned host CPU " + planned);
            }
            pins.add(new PerfPinning.VcpuPin(v.cpuIndex(), v.hostThreadId(), planned, allowed));
            if (liveLog != null) {
                liveLog.accept("perf: vCPU " + v.cpuIndex() + " thread " + v.hostThreadId() + " Cpus_allowed_list=" + allowed
                        + ", service CPU " + plan.serviceCpu());
            }
        }
        if (liveLog != null) applied.warnings().forEach(x -> liveLog.accept("perf: WARNING " + x));
        return new PerfPinning(plan.serviceCpu(), applied.realtimeVcpus(), applied.pinnedService().size(), mem.hugepages(),
                mem.backing(), mem.fallbackReason().orElse(null), mem.memoryMb(), hostNodes, pins, applied.warnings());
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
        return new JobResult(job.jobId(), job.variantName(), JobStatus.SKIP, Sanitize.line("skipped: " + reason), "", null,
                accelerator(), timings, job.attempt(), VmOutcome.skipped(Sanitize.line(reason), host()));
    }

    /** HOST_SYSRQ_D to the guest: it takes sched_ext's debug dump while the scheduler is still misbehaving. */
    private void askForSchedExtDump(QemuVm vm, String violation) {
        if (liveLog != null) liveLog.accept("host monitor: " + violation + "; asking the guest for a sched_ext dump (SysRq-D)");
        try {
            java.io.OutputStream out = vm.port("ktstr.data").out();
            synchronized (out) {
                dev.ktstr.protocol.frame.FrameCodec.write(out, dev.ktstr.protocol.frame.Frame.text(
                        dev.ktstr.protocol.frame.FrameType.HOST_SYSRQ_D, violation));
            }
        } catch (IOException | RuntimeException e) {
            if (liveLog != null) liveLog.accept("could not ask for the sched_ext dump: " + e.getMessage());
        }
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // QEMU removes its RAM file itself; an empty dir left in /dev/shm holds no memory
        }
    }

    /**
     * What the host monitor measured and, when its checks apply (a sched_ext scheduler was seen and
     * the guest passed), what they found; null when the monitor did not start.
     */
    private MonitorOutcome monitor(TestConfig config, Boot b, boolean guestPassed) {
        if (b.monitor == null) return null;
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
        List<String> problems = rep.problems().stream().map(Sanitize::line).toList();
        boolean seen = b.monitor.scxSeen();
        Long enabled = enabledMs >= 0 ? enabledMs : null;
        String notRun = config.scheduler().binary() instanceof SchedulerSpec.Eevdf
                ? "monitor checks not run: EEVDF (imbalance and DSQ depth say nothing about it)"
                : !guestPassed ? "monitor checks not run: the guest verdict already failed"
                : !seen ? "monitor checks not run: no sched_ext scheduler was seen enabled by the monitor"
                : null;
        String trigger = b.monitor.firstViolation();
        String dump = trigger == null ? null : "SysRq-D at the host monitor's first violation: " + Sanitize.line(trigger) + "\n"
                + (b.session.schedDump != null ? b.session.schedDump : "(the guest sent no dump before the VM ended)");
        if (notRun != null) return new MonitorOutcome(nr, problems, seen, enabled, false, null, null, List.of(), notRun, dump);
        MonitorVerdict v = b.monitor.evaluate(MonitorRun.forAccelerator(config.assertion(), accel.accel()));
        return new MonitorOutcome(nr, problems, seen, enabled, true, v.passed(), v.summary(),
                v.violations().stream().map(Sanitize::line).toList(), v.note().isEmpty() ? null : v.note(), dump);
    }

    /** The typed outcome of one boot: what the guest said, how the VM ended, the monitor, pinning and logs. */
    private VmOutcome outcome(VmResult vm, Boot boot, MonitorOutcome monitor, BuiltInitramfs built) {
        GuestSession s = boot.session;
        List<VmRun.VmRetry> retries = vm.retriedAfter().stream().map(r -> new VmRun.VmRetry(end(r.exit()), r.elapsed().toMillis())).toList();
        VmRun run = new VmRun(vm.accel().accel().name().toLowerCase(java.util.Locale.ROOT), vm.accel().reason(),
                vm.machine().name().toLowerCase(java.util.Locale.ROOT), end(vm.exit()), vm.elapsed().toMillis(), retries, boot.hostStarvation);
        String schedLog = s.schedExit == null || s.schedExit.log() == null ? "" : s.schedExit.log();
        VmLogs logs = new VmLogs(Sanitize.tail(Sanitize.block(vm.consoleTail(), VmResult.TAIL_LINES), 64 * 1024),
                Sanitize.tail(Sanitize.block(String.join("\n", s.logs), 4000), 128 * 1024),
                schedLog.isEmpty() ? null : Sanitize.tail(Sanitize.block(schedLog, 4000), 96 * 1024), s.droppedLogs);
        return new VmOutcome(run, s.hello, s.result, s.exit, s.schedExit, s.crash, s.workerReports, s.stimuli, s.phases,
                s.watchdog, monitor, boot.monitor == null && boot.monitorError != null ? Sanitize.line(boot.monitorError) : null,
                boot.perf, s.problems, logs, new InitramfsStats(built.baseBytes(), built.suffixBytes(), built.baseCacheHit()),
                host(), null, s.bpfPrograms);
    }

    static VmEnd end(VmExit exit) {
        VmEnd.Kind kind = exit instanceof VmExit.GuestPoweroff ? VmEnd.Kind.GUEST_POWEROFF
                : exit instanceof VmExit.KernelPanic ? VmEnd.Kind.KERNEL_PANIC
                : exit instanceof VmExit.Timeout ? VmEnd.Kind.TIMEOUT
                : exit instanceof VmExit.QemuError ? VmEnd.Kind.QEMU_ERROR
                : VmEnd.Kind.STOPPED;
        Integer code = exit instanceof VmExit.GuestPoweroff p && p.exitCode().isPresent() ? p.exitCode().getAsInt() : null;
        return new VmEnd(kind, Sanitize.line(exit.describe()), exit.infrastructureFailure(), code);
    }

    /**
     * The job's result: the typed outcome, reported as {@link JobStatus#COMPLETED} for the
     * coordinator to judge against the test's terms. Only which monitor checks to evaluate is
     * decided here (they need the samples): none after an infrastructure failure, and the
     * imbalance/DSQ checks only when the guest itself passed.
     */
    private JobResult completed(JobSpec job, TestConfig config, Boot boot, VmResult vm, Map<String, Long> timings,
                                BuiltInitramfs built) {
        GuestSession s = boot.session;
        VmExit exit = vm.exit();
        boolean timeout = exit instanceof VmExit.Timeout;
        boolean infra = !timeout && (exit.infrastructureFailure() || exit instanceof VmExit.QemuError);
        MonitorOutcome mon;
        if (infra) {
            mon = null;
        } else if (timeout || s.result == null) {
            mon = monitor(config, boot, false);
        } else {
            boolean skipped = s.result.path("skipped").asBoolean(false);
            mon = skipped ? null : monitor(config, boot, s.result.path("passed").asBoolean(false));
        }
        VmOutcome outcome = outcome(vm, boot, mon, built);
        return new JobResult(job.jobId(), job.variantName(), JobStatus.COMPLETED, Sanitize.line("VM ended: " + exit.describe()), "",
                null, outcome.vm().accelerator(), timings, job.attempt(), outcome);
    }

    private HostContext host() {
        HostContext h = hostContext;
        if (h == null) hostContext = h = HostContextProbe.capture();
        return h;
    }

    /**
     * The test's config as the coordinator resolved it: read from the job, never re-derived here
     * (the worker does not load the user's classes on the host).
     */
    private TestConfig testConfig(JobSpec job) throws KtstrSetupException {
        if (job.testConfig() == null || job.testConfig().isNull()) {
            throw new KtstrSetupException("job " + job.variantName() + " carries no resolved test config: its coordinator is older"
                    + " than this worker; run both from the same ktstr version");
        }
        try {
            return json.treeToValue(job.testConfig(), TestConfig.class).withTopology(job.topology());
        } catch (IOException | IllegalArgumentException e) {
            throw new KtstrSetupException("job " + job.variantName() + ": its test config does not bind: " + e.getMessage(), e);
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

    /**
     * The guest's AOT cache for this runtime and guest jar (trained once, then cached); a training
     * failure costs speed, not the job, so it is logged and the guest starts without one.
     */
    private GuestArchives.Result aotCache(GuestRuntime jre, Path jar) {
        GuestArchives.Result r = aot;
        if (r == null) {
            synchronized (this) {
                if (aot == null) {
                    try {
                        aot = GuestArchives.obtain(cacheRoot, jre, jar, GuestJvm.AGENT_FLAGS, GuestJvm.TRAINING_MAIN);
                    } catch (IOException | RuntimeException e) {
                        aot = new GuestArchives.Result(null, "no AOT cache: training failed: " + e.getMessage(), false);
                    }
                    if (liveLog != null) liveLog.accept("guest JVMs: " + Sanitize.line(aot.note()));
                }
                r = aot;
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

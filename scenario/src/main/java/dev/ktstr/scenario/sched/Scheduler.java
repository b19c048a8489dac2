package dev.ktstr.scenario.sched;

import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.verify.Assert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A scheduler under test (spec §1.3). Build one with {@link #builder(String)}.
 *
 * @param name          label in logs and sidecars
 * @param binary        how to obtain it
 * @param flags         feature flags, in profile order
 * @param sysctls       guest cmdline {@code sysctl.k=v}, applied in order
 * @param kargs         extra guest kernel args (may not set nokaslr, console=, loglevel=, init=);
 *                      {@value #LAST_CPU} expands to the guest's highest CPU number, for
 *                      topology-dependent args such as {@code nohz_full=1-{last_cpu}}
 * @param assertion     scheduler layer of the threshold merge chain
 * @param cgroupParent  absolute cgroup path created before start and passed as
 *                      {@code --cell-parent-cgroup}; {@code null} = none
 * @param schedArgs     fixed scheduler CLI args
 * @param topology      default VM topology for tests using this scheduler
 * @param constraints   default gauntlet constraints
 * @param configFile    host path packed to {@code /include-files/<basename>} and passed as
 *                      {@code --config}; {@code null} = none
 * @param attachTimeoutMs how long (ms) after its liveness window the scheduler may take to reach
 *                      sched_ext state "enabled", as wall time in the guest, not scaled;
 *                      {@code null} = the harness default scaled for the accelerator and vCPUs
 *                      ({@link dev.ktstr.protocol.guest.Deadlines#forVm})
 */
public record Scheduler(String name, SchedulerSpec binary, List<FlagDecl> flags, List<Sysctl> sysctls,
                        List<String> kargs, Assert assertion, String cgroupParent, List<String> schedArgs,
                        Topology topology, TopologyConstraints constraints, String configFile, Long attachTimeoutMs) {
    /** Placeholder in {@link #kargs} for the guest's highest CPU number. */
    public static final String LAST_CPU = "{last_cpu}";

    /** {@link #kargs} with {@link #LAST_CPU} expanded for a guest of {@code cpus} CPUs. */
    public List<String> kargsFor(int cpus) {
        return kargs.stream().map(k -> k.replace(LAST_CPU, Integer.toString(cpus - 1))).toList();
    }


    private static final List<String> RESERVED_KARGS = List.of("nokaslr", "console=", "loglevel=", "init=");

    public static final Scheduler EEVDF = builder("eevdf").build();

    public Scheduler {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("scheduler needs a name");
        if (binary == null) binary = new SchedulerSpec.Eevdf();
        flags = flags == null ? List.of() : List.copyOf(flags);
        sysctls = sysctls == null ? List.of() : List.copyOf(sysctls);
        kargs = kargs == null ? List.of() : List.copyOf(kargs);
        if (assertion == null) assertion = Assert.NO_OVERRIDES;
        schedArgs = schedArgs == null ? List.of() : List.copyOf(schedArgs);
        if (topology == null) topology = Topology.DEFAULT;
        if (constraints == null) constraints = TopologyConstraints.DEFAULT;
        if (attachTimeoutMs != null && attachTimeoutMs <= 0) {
            throw new IllegalArgumentException("scheduler " + name + ": attachTimeout must be > 0, got " + attachTimeoutMs
                    + " ms (leave it unset for the harness's scaled default)");
        }
        if (cgroupParent != null && (!cgroupParent.startsWith("/") || cgroupParent.equals("/"))) {
            throw new IllegalArgumentException("scheduler " + name + ": cgroupParent must be an absolute path other than '/', got '" + cgroupParent + "'");
        }
        for (String k : kargs) {
            for (String r : RESERVED_KARGS) {
                if (k.equals(r) || (r.endsWith("=") && k.startsWith(r))) {
                    throw new IllegalArgumentException("scheduler " + name + ": karg '" + k + "' would override the harness's own '" + r + "'; remove it");
                }
            }
        }
        Set<String> names = new HashSet<>();
        for (FlagDecl f : flags) {
            if (!names.add(f.name())) throw new IllegalArgumentException("scheduler " + name + ": flag '" + f.name() + "' declared twice");
        }
        for (FlagDecl f : flags) {
            for (String r : f.requires()) {
                if (!names.contains(r)) {
                    throw new IllegalArgumentException("scheduler " + name + ": flag '" + f.name() + "' requires undeclared flag '" + r + "'");
                }
            }
        }
    }

    /** {@link SchedulerSpec#displayName()}. */
    public String displayName() {
        return binary.displayName();
    }

    public boolean isEevdf() {
        return binary instanceof SchedulerSpec.Eevdf;
    }

    public FlagDecl flag(String flagName) {
        for (FlagDecl f : flags) if (f.name().equals(flagName)) return f;
        throw new IllegalArgumentException("scheduler " + name + " declares no flag '" + flagName + "'"
                + (flags.isEmpty() ? " (it declares none)" : "; declared: " + flags.stream().map(FlagDecl::name).toList()));
    }

    /**
     * The scheduler's command line after the binary, in spec order: {@code --config}, {@code
     * --cell-parent-cgroup}, schedArgs, the test's extra args, then each active flag's args in
     * declaration order.
     */
    public List<String> commandLine(List<String> extraSchedArgs, Set<String> activeFlags) {
        List<String> args = new ArrayList<>();
        if (configFile != null) {
            args.add("--config");
            args.add("/include-files/" + java.nio.file.Path.of(configFile).getFileName());
        }
        if (cgroupParent != null) {
            args.add("--cell-parent-cgroup");
            args.add(cgroupParent);
        }
        args.addAll(schedArgs);
        if (extraSchedArgs != null) args.addAll(extraSchedArgs);
        for (String f : activeFlags) flag(f);
        for (FlagDecl f : flags) if (activeFlags.contains(f.name())) args.addAll(f.args());
        return args;
    }

    public Scheduler withFlags(List<FlagDecl> newFlags) {
        return new Scheduler(name, binary, newFlags, sysctls, kargs, assertion, cgroupParent, schedArgs, topology, constraints, configFile, attachTimeoutMs);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Mutable builder; every setter returns this. */
    public static final class Builder {
        private final String name;
        private SchedulerSpec binary = new SchedulerSpec.Eevdf();
        private final List<FlagDecl> flags = new ArrayList<>();
        private final List<Sysctl> sysctls = new ArrayList<>();
        private final List<String> kargs = new ArrayList<>();
        private Assert assertion = Assert.NO_OVERRIDES;
        private String cgroupParent;
        private final List<String> schedArgs = new ArrayList<>();
        private Topology topology = Topology.DEFAULT;
        private TopologyConstraints constraints = TopologyConstraints.DEFAULT;
        private String configFile;
        private Long attachTimeoutMs;

        private Builder(String name) {
            this.name = name;
        }

        public Builder binary(SchedulerSpec spec) { this.binary = spec; return this; }
        public Builder discover(String binaryName) { return binary(new SchedulerSpec.Discover(binaryName)); }
        /**
         * The scheduler's user-space executable on the host. A relative path is resolved against the
         * test's project directory (the nearest directory above the test classes or jar holding a
         * pom.xml or build.gradle), else the working directory; planning refuses a missing file or
         * one that is not an x86-64 ELF executable (a {@code .bpf.o}, a script) with the path in full.
         */
        public Builder path(String binaryPath) { return binary(new SchedulerSpec.Path(binaryPath)); }
        public Builder kernelBuiltin(List<String> enable, List<String> disable) { return binary(new SchedulerSpec.KernelBuiltin(enable, disable)); }
        public Builder flag(FlagDecl flag) { flags.add(flag); return this; }
        public Builder sysctl(String key, String value) { sysctls.add(new Sysctl(key, value)); return this; }
        public Builder karg(String arg) { kargs.add(arg); return this; }
        public Builder assertion(Assert a) { this.assertion = a; return this; }
        public Builder cgroupParent(String path) { this.cgroupParent = path; return this; }
        public Builder schedArgs(String... args) { schedArgs.addAll(List.of(args)); return this; }
        public Builder topology(int numaNodes, int llcs, int cores, int threads) { this.topology = new Topology(numaNodes, llcs, cores, threads); return this; }
        public Builder constraints(TopologyConstraints c) { this.constraints = c; return this; }
        public Builder configFile(String hostPath) { this.configFile = hostPath; return this; }
        /** Time to reach "enabled" after the liveness window (unscaled); e.g. a scheduler creating thousands of maps. */
        public Builder attachTimeout(Duration timeout) {
            this.attachTimeoutMs = timeout == null ? null : timeout.toMillis();
            return this;
        }

        public Scheduler build() {
            return new Scheduler(name, binary, flags, sysctls, kargs, assertion, cgroupParent, schedArgs, topology, constraints, configFile, attachTimeoutMs);
        }
    }
}

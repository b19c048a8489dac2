package dev.ktstr.scenario.work;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a worker's loop does (spec §2.6, 20 variants). JSON form: the record's fields plus
 * {@code "type": "<PascalCase name>"}. Grouped types ({@link #groupSize()} &gt; 1) are spawned in
 * groups: workers {@code [k*g, (k+1)*g)} of one spawn call belong together (pipe pairs, futex
 * groups; in a fan-out group index 0 of the group is the messenger).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = WorkType.CpuSpin.class, name = "CpuSpin"),
        @JsonSubTypes.Type(value = WorkType.YieldHeavy.class, name = "YieldHeavy"),
        @JsonSubTypes.Type(value = WorkType.Mixed.class, name = "Mixed"),
        @JsonSubTypes.Type(value = WorkType.IoSync.class, name = "IoSync"),
        @JsonSubTypes.Type(value = WorkType.Bursty.class, name = "Bursty"),
        @JsonSubTypes.Type(value = WorkType.PipeIo.class, name = "PipeIo"),
        @JsonSubTypes.Type(value = WorkType.FutexPingPong.class, name = "FutexPingPong"),
        @JsonSubTypes.Type(value = WorkType.CachePressure.class, name = "CachePressure"),
        @JsonSubTypes.Type(value = WorkType.CacheYield.class, name = "CacheYield"),
        @JsonSubTypes.Type(value = WorkType.CachePipe.class, name = "CachePipe"),
        @JsonSubTypes.Type(value = WorkType.FutexFanOut.class, name = "FutexFanOut"),
        @JsonSubTypes.Type(value = WorkType.FanOutCompute.class, name = "FanOutCompute"),
        @JsonSubTypes.Type(value = WorkType.Sequence.class, name = "Sequence"),
        @JsonSubTypes.Type(value = WorkType.ForkExit.class, name = "ForkExit"),
        @JsonSubTypes.Type(value = WorkType.NiceSweep.class, name = "NiceSweep"),
        @JsonSubTypes.Type(value = WorkType.AffinityChurn.class, name = "AffinityChurn"),
        @JsonSubTypes.Type(value = WorkType.PolicyChurn.class, name = "PolicyChurn"),
        @JsonSubTypes.Type(value = WorkType.PageFaultChurn.class, name = "PageFaultChurn"),
        @JsonSubTypes.Type(value = WorkType.MutexContention.class, name = "MutexContention"),
        @JsonSubTypes.Type(value = WorkType.Custom.class, name = "Custom"),
})
public sealed interface WorkType extends java.io.Serializable {

    /** All 20 variant names, in spec order. */
    List<String> ALL_NAMES = List.of("CpuSpin", "YieldHeavy", "Mixed", "IoSync", "Bursty", "PipeIo",
            "FutexPingPong", "CachePressure", "CacheYield", "CachePipe", "FutexFanOut", "FanOutCompute",
            "Sequence", "ForkExit", "NiceSweep", "AffinityChurn", "PolicyChurn", "PageFaultChurn",
            "MutexContention", "Custom");

    /** PascalCase variant name (the JSON type id). */
    default String name() {
        return getClass().getSimpleName();
    }

    /** Workers that must be spawned together; the worker count must be a multiple of it. */
    default int groupSize() {
        return 1;
    }

    /** Throws with the spec's message when {@code numWorkers} doesn't fit {@link #groupSize()}. */
    default void checkWorkerCount(int numWorkers) {
        if (numWorkers <= 0) throw new IllegalArgumentException(name() + " requires num_workers > 0, got " + numWorkers);
        int g = groupSize();
        if (numWorkers % g != 0) {
            throw new IllegalArgumentException(name() + " requires num_workers divisible by " + g + ", got " + numWorkers);
        }
    }

    /**
     * True for the types whose workers need a process each (their own tgid and address space):
     * every other worker runs as a thread of its group's worker host process, with all per-thread
     * properties (comm, affinity, policy, nice, mempolicy, CPU clock, schedstat) its own. ForkExit
     * forks from its own process; PageFaultChurn's faults would contend on one shared mm.
     */
    default boolean needsOwnProcess() {
        return false;
    }

    /** True for the types whose workers block on purpose (gap clock reset after the block). */
    default boolean blocking() {
        return false;
    }

    // ---- the 20 variants ----

    /** 1024 spin steps per iteration, 1 work unit each. */
    record CpuSpin() implements WorkType {}

    /** +1 unit, sched_yield. */
    record YieldHeavy() implements WorkType {}

    /** 1024 spin steps, then yield. */
    record Mixed() implements WorkType {}

    /** Truncate a temp file, 16 × 4 KiB writes (1 unit each), sleep 100 µs; latency = the sleep. */
    record IoSync() implements WorkType {
        @Override public boolean blocking() { return true; }
    }

    /** Spin for burstMs in 1024-step chunks, then sleep sleepMs; latency = the sleep. Gap clock NOT reset. */
    record Bursty(long burstMs, long sleepMs) implements WorkType {
        public Bursty {
            positive("Bursty", "burst_ms", burstMs);
            nonNegative("Bursty", "sleep_ms", sleepMs);
        }
    }

    /** Spin burstIters, then a 1-byte pipe exchange with the partner (pairs 0-1, 2-3, ...). */
    record PipeIo(int burstIters) implements WorkType {
        public PipeIo { positive("PipeIo", "burst_iters", burstIters); }
        @Override public int groupSize() { return 2; }
        @Override public boolean blocking() { return true; }
    }

    /** Spin, set the shared word to the partner's value, FUTEX_WAKE, wait until the word is mine. */
    record FutexPingPong(int spinIters) implements WorkType {
        public FutexPingPong { positive("FutexPingPong", "spin_iters", spinIters); }
        @Override public int groupSize() { return 2; }
        @Override public boolean blocking() { return true; }
    }

    /** 1024 strided read-modify-writes over a private buffer of sizeKb KiB. */
    record CachePressure(int sizeKb, int stride) implements WorkType {
        public CachePressure { positive("CachePressure", "size_kb", sizeKb); positive("CachePressure", "stride", stride); }
    }

    /** CachePressure + yield; latency = the yield. */
    record CacheYield(int sizeKb, int stride) implements WorkType {
        public CacheYield { positive("CacheYield", "size_kb", sizeKb); positive("CacheYield", "stride", stride); }
    }

    /** Cache burst + pipe exchange with the partner. */
    record CachePipe(int sizeKb, int burstIters) implements WorkType {
        public CachePipe { positive("CachePipe", "size_kb", sizeKb); positive("CachePipe", "burst_iters", burstIters); }
        @Override public int groupSize() { return 2; }
        @Override public boolean blocking() { return true; }
    }

    /** Groups of 1 messenger + fanOut receivers; the messenger spins then FUTEX_WAKEs them. */
    record FutexFanOut(int fanOut, int spinIters) implements WorkType {
        public FutexFanOut { positive("FutexFanOut", "fan_out", fanOut); positive("FutexFanOut", "spin_iters", spinIters); }
        @Override public int groupSize() { return fanOut + 1; }
        @Override public boolean blocking() { return true; }
    }

    /** Messenger stamps CLOCK_MONOTONIC and wakes fanOut workers; each sleeps, then multiplies matrices. */
    record FanOutCompute(int fanOut, int cacheFootprintKb, int operations, int sleepUsec) implements WorkType {
        public FanOutCompute {
            positive("FanOutCompute", "fan_out", fanOut);
            positive("FanOutCompute", "cache_footprint_kb", cacheFootprintKb);
            positive("FanOutCompute", "operations", operations);
            nonNegative("FanOutCompute", "sleep_usec", sleepUsec);
        }
        @Override public int groupSize() { return fanOut + 1; }
        @Override public boolean blocking() { return true; }
    }

    /** Cycles {@code first}, then {@code rest}, forever. */
    record Sequence(Phase first, List<Phase> rest) implements WorkType {
        public Sequence {
            if (first == null) throw new IllegalArgumentException("Sequence needs a first phase");
            rest = rest == null ? List.of() : List.copyOf(rest);
        }
        public List<Phase> phases() {
            List<Phase> all = new ArrayList<>();
            all.add(first);
            all.addAll(rest);
            return all;
        }
        @Override public boolean blocking() { return true; }
    }

    /** Fork a child that exits at once, waitpid; +1 unit; latency = the waitpid. */
    record ForkExit() implements WorkType {
        @Override public boolean needsOwnProcess() { return true; }
    }

    /** 512 spin steps, setpriority to the next nice level, yield. */
    record NiceSweep() implements WorkType {}

    /** Spin, pin self to a random CPU of the initial affinity, yield. */
    record AffinityChurn(int spinIters) implements WorkType {
        public AffinityChurn { positive("AffinityChurn", "spin_iters", spinIters); }
    }

    /** Spin, cycle OTHER→BATCH→IDLE(→FIFO1→RR1 if permitted), yield. */
    record PolicyChurn(int spinIters) implements WorkType {
        public PolicyChurn { positive("PolicyChurn", "spin_iters", spinIters); }
    }

    /** Write-touch random pages of a private anon region, MADV_DONTNEED, spin. */
    record PageFaultChurn(int regionKb, int touchesPerCycle, int spinIters) implements WorkType {
        public PageFaultChurn {
            positive("PageFaultChurn", "region_kb", regionKb);
            positive("PageFaultChurn", "touches_per_cycle", touchesPerCycle);
            positive("PageFaultChurn", "spin_iters", spinIters);
        }
        @Override public boolean needsOwnProcess() { return true; }
    }

    /** Spin workIters, CAS-acquire a shared word (FUTEX_WAIT on failure), spin holdIters, release + wake. */
    record MutexContention(int contenders, int holdIters, int workIters) implements WorkType {
        public MutexContention {
            positive("MutexContention", "contenders", contenders);
            positive("MutexContention", "hold_iters", holdIters);
            positive("MutexContention", "work_iters", workIters);
        }
        @Override public int groupSize() { return contenders; }
        @Override public boolean blocking() { return true; }
    }

    /**
     * A user loop: {@code className} names a {@link CustomWorker} with a public no-arg constructor,
     * loadable in the worker process; {@code label} is the display name; {@code args} reach it via
     * {@link WorkerProbe#args()}.
     */
    record Custom(String label, String className, Map<String, String> args) implements WorkType {
        public Custom {
            if (className == null || className.isBlank()) throw new IllegalArgumentException("Custom work type needs a worker class name");
            if (label == null || label.isBlank()) label = className.substring(className.lastIndexOf('.') + 1);
            args = args == null ? Map.of() : Map.copyOf(args);
        }
    }

    // ---- constructors (spec parameter orders and defaults) ----

    static WorkType cpuSpin() { return new CpuSpin(); }
    static WorkType yieldHeavy() { return new YieldHeavy(); }
    static WorkType mixed() { return new Mixed(); }
    static WorkType ioSync() { return new IoSync(); }
    static WorkType bursty(long burstMs, long sleepMs) { return new Bursty(burstMs, sleepMs); }
    static WorkType pipeIo(int burstIters) { return new PipeIo(burstIters); }
    static WorkType futexPingPong(int spinIters) { return new FutexPingPong(spinIters); }
    static WorkType cachePressure(int sizeKb, int stride) { return new CachePressure(sizeKb, stride); }
    static WorkType cacheYield(int sizeKb, int stride) { return new CacheYield(sizeKb, stride); }
    static WorkType cachePipe(int sizeKb, int burstIters) { return new CachePipe(sizeKb, burstIters); }
    static WorkType futexFanOut(int fanOut, int spinIters) { return new FutexFanOut(fanOut, spinIters); }
    static WorkType fanOutCompute(int fanOut, int cacheFootprintKb, int operations, int sleepUsec) {
        return new FanOutCompute(fanOut, cacheFootprintKb, operations, sleepUsec);
    }
    static WorkType sequence(Phase first, Phase... rest) { return new Sequence(first, List.of(rest)); }
    static WorkType forkExit() { return new ForkExit(); }
    static WorkType niceSweep() { return new NiceSweep(); }
    static WorkType affinityChurn(int spinIters) { return new AffinityChurn(spinIters); }
    static WorkType policyChurn(int spinIters) { return new PolicyChurn(spinIters); }
    static WorkType pageFaultChurn(int regionKb, int touchesPerCycle, int spinIters) {
        return new PageFaultChurn(regionKb, touchesPerCycle, spinIters);
    }
    static WorkType mutexContention(int contenders, int holdIters, int workIters) {
        return new MutexContention(contenders, holdIters, workIters);
    }
    static WorkType custom(Class<? extends CustomWorker> worker) {
        return new Custom(worker.getSimpleName(), worker.getName(), Map.of());
    }
    static WorkType custom(Class<? extends CustomWorker> worker, Map<String, String> args) {
        return new Custom(worker.getSimpleName(), worker.getName(), args);
    }

    /**
     * The variant with its spec defaults, by PascalCase name (case-insensitive). Sequence and
     * Custom need parameters and are rejected; typos get a "did you mean" suggestion.
     */
    static WorkType fromName(String name) {
        String n = name == null ? "" : name.trim();
        switch (n.toLowerCase(Locale.ROOT)) {
            case "cpuspin": return new CpuSpin();
            case "yieldheavy": return new YieldHeavy();
            case "mixed": return new Mixed();
            case "iosync": return new IoSync();
            case "bursty": return new Bursty(50, 100);
            case "pipeio": return new PipeIo(1024);
            case "futexpingpong": return new FutexPingPong(1024);
            case "cachepressure": return new CachePressure(32, 64);
            case "cacheyield": return new CacheYield(32, 64);
            case "cachepipe": return new CachePipe(32, 1024);
            case "futexfanout": return new FutexFanOut(4, 1024);
            case "fanoutcompute": return new FanOutCompute(4, 256, 5, 100);
            case "forkexit": return new ForkExit();
            case "nicesweep": return new NiceSweep();
            case "affinitychurn": return new AffinityChurn(1024);
            case "policychurn": return new PolicyChurn(1024);
            case "pagefaultchurn": return new PageFaultChurn(4096, 256, 64);
            case "mutexcontention": return new MutexContention(4, 256, 1024);
            case "sequence":
            case "custom":
                throw new IllegalArgumentException("work type '" + n + "' needs parameters and cannot be chosen by name; build it in Java (WorkType.sequence / WorkType.custom)");
            default:
                String best = null;
                int bestD = Integer.MAX_VALUE;
                for (String c : ALL_NAMES) {
                    int d = Names.editDistance(n.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
                    if (d < bestD) { bestD = d; best = c; }
                }
                String hint = bestD <= 3 ? " (did you mean '" + best + "'?)" : "";
                throw new IllegalArgumentException("unknown work type '" + n + "'" + hint + "; valid: " + String.join(", ", ALL_NAMES));
        }
    }

    private static void positive(String type, String field, long v) {
        if (v <= 0) throw new IllegalArgumentException(type + " " + field + " must be > 0, got " + v);
    }

    private static void nonNegative(String type, String field, long v) {
        if (v < 0) throw new IllegalArgumentException(type + " " + field + " must be >= 0, got " + v);
    }
}

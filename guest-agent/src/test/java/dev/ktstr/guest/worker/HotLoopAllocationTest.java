package dev.ktstr.guest.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.scenario.work.Phase;
import dev.ktstr.scenario.work.WorkType;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hot loops allocate nothing per iteration: each loop body and the probe calls run for a
 * warm-up, then N more iterations are measured with the thread's allocated-bytes counter. The
 * surefire JVM runs with -XX:TieredStopAtLevel=1 like the guest (no C2 escape analysis to hide
 * allocations).
 */
class HotLoopAllocationTest {
    private static final int WARMUP = 3_000;
    private static final int MEASURED = 20_000;
    /** Zero after subtracting the counter's own cost; a little slack, far below one object per 100 iterations. */
    private static final long SLACK_BYTES = 64;

    @TempDir
    Path tmp;

    static List<WorkType> singleTypes() {
        return List.of(WorkType.cpuSpin(), WorkType.yieldHeavy(), WorkType.mixed(), WorkType.ioSync(), WorkType.bursty(1, 0),
                WorkType.cachePressure(32, 64), WorkType.cacheYield(32, 64), WorkType.niceSweep(), WorkType.affinityChurn(64),
                WorkType.policyChurn(64), WorkType.pageFaultChurn(256, 8, 64), WorkType.mutexContention(1, 16, 16),
                WorkType.sequence(Phase.spinMs(0 + 1), new Phase(Phase.Kind.YIELD, 50)), WorkType.forkExit());
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** What two back-to-back reads of the counter cost by themselves (subtracted from every measurement). */
    private static long counterOverhead() {
        long o = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long a = allocated();
            long b = allocated();
            o = Math.min(o, b - a);
        }
        return o;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleTypes")
    void loopBodyAllocatesNothing(WorkType type) throws Exception {
        // slow iterations (a 1 ms burst, a process spawn, file io, a forced migration) get fewer rounds
        boolean slow = type instanceof WorkType.ForkExit || type instanceof WorkType.Sequence || type instanceof WorkType.IoSync
                || type instanceof WorkType.Bursty || type instanceof WorkType.AffinityChurn;
        int warm = slow ? 200 : WARMUP;
        int n = slow ? 500 : MEASURED;
        Loops.Group g = new Loops.Group(tmp, tmp, 0, type.groupSize(), 42);
        LoopProbe p = new LoopProbe(true, 0, 2_000, Map.of());
        try (WorkLoop loop = Loops.create(type, g)) {
            loop.prepare();
            loop.beforeLoop();
            p.start();
            for (int i = 0; i < warm; i++) {
                loop.iterate(p);
                p.iterationDone();
            }
            long overhead = counterOverhead();
            long before = allocated();
            for (int i = 0; i < n; i++) {
                loop.iterate(p);
                p.iterationDone();
                p.recordWakeLatencyNs(1_000 + i);
            }
            long delta = allocated() - before - overhead;
            System.out.printf("%-16s %d iterations: %d bytes allocated (%.4f B/iteration)%n", type.name(), n, delta, delta / (double) n);
            assertThat(delta).as("%s allocated %d bytes over %d iterations", type.name(), delta, n).isLessThanOrEqualTo(SLACK_BYTES);
        }
    }

    /** Paired types need a partner running concurrently: two threads, each measured. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pairTypes")
    void pairedLoopBodiesAllocateNothing(WorkType type) throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicLong worst = new AtomicLong();
        List<Throwable> errors = new ArrayList<>();
        int size = type.groupSize();
        List<WorkLoop> loops = new ArrayList<>();
        List<LoopProbe> probes = new ArrayList<>();
        for (int m = 0; m < size; m++) {
            WorkLoop l = Loops.create(type, new Loops.Group(tmp, tmp, m, size, 7 + m));
            l.prepare();
            loops.add(l);
            probes.add(new LoopProbe(true, 0, 2_000, Map.of()));
        }
        for (int m = 0; m < size; m++) {
            WorkLoop loop = loops.get(m);
            LoopProbe p = probes.get(m);
            Thread t = new Thread(() -> {
                try {
                    p.start();
                    for (int i = 0; i < 2_000 && !p.stopRequested(); i++) {
                        loop.iterate(p);
                        p.iterationDone();
                    }
                    long overhead = counterOverhead();
                    long before = allocated();
                    for (int i = 0; i < 5_000 && !p.stopRequested(); i++) {
                        loop.iterate(p);
                        p.iterationDone();
                    }
                    worst.accumulateAndGet(allocated() - before - overhead, Math::max);
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                } finally {
                    // let the partner finish its last exchange
                    for (int k = 0; k < size; k++) {
                        probes.get(k).requestStop();
                        loops.get(k).wakeForStop();
                    }
                }
            });
            threads.add(t);
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) t.join(60_000);
        for (WorkLoop l : loops) l.close();
        assertThat(errors).isEmpty();
        System.out.printf("%-16s paired: worst thread allocated %d bytes%n", type.name(), worst.get());
        assertThat(worst.get()).isLessThanOrEqualTo(SLACK_BYTES);
    }

    static List<WorkType> pairTypes() {
        return List.of(WorkType.pipeIo(64), WorkType.futexPingPong(64), WorkType.cachePipe(32, 64), WorkType.futexFanOut(1, 64),
                WorkType.fanOutCompute(1, 16, 1, 0));
    }

    /**
     * The worker host's driver (WorkerThread.drive, the loop a worker thread runs with its live
     * iteration counter) allocates nothing either: each listed type is driven on its own thread for
     * a warm-up, then measured until a stop request from another thread ends it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("driverTypes")
    void workerHostDriverAllocatesNothing(WorkType type) throws Exception {
        java.nio.MappedByteBuffer counters;
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(tmp.resolve("counters").toFile(), "rw")) {
            f.setLength(64);
            counters = f.getChannel().map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, 64);
        }
        java.nio.MappedByteBuffer c = counters;
        AtomicLong measured = new AtomicLong(-1);
        AtomicLong iterations = new AtomicLong();
        List<Throwable> errors = new ArrayList<>();
        Loops.Group g = new Loops.Group(tmp, tmp, 0, type.groupSize(), 11);
        try (WorkLoop loop = Loops.create(type, g)) {
            loop.prepare();
            loop.beforeLoop();
            LoopProbe warm = new LoopProbe(true, 0, 2_000, Map.of());
            LoopProbe p = new LoopProbe(true, 0, 2_000, Map.of());
            Thread t = new Thread(() -> {
                try {
                    warm.start();
                    WorkerThread.drive(loop, warm, c, 3);
                    long overhead = counterOverhead();
                    long before = allocated();
                    p.start();
                    WorkerThread.drive(loop, p, c, 3);
                    measured.set(allocated() - before - overhead);
                    iterations.set(p.iterations());
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            }, "kw-test-0");
            t.start();
            Thread.sleep(300);
            warm.requestStop();
            loop.wakeForStop();
            Thread.sleep(700);
            p.requestStop();
            loop.wakeForStop();
            t.join(10_000);
        }
        assertThat(errors).isEmpty();
        assertThat(iterations.get()).as("driven iterations").isPositive();
        assertThat(counters.getLong(3 * 8)).as("live counter written").isEqualTo(iterations.get());
        System.out.printf("%-16s driver: %d iterations, %d bytes allocated%n", type.name(), iterations.get(), measured.get());
        // a fixed slack for the stop request's cross-thread handoff, not per iteration
        assertThat(measured.get()).as("%s driver allocated %d bytes over %d iterations", type.name(), measured.get(), iterations.get())
                .isLessThanOrEqualTo(SLACK_BYTES);
    }

    static List<WorkType> driverTypes() {
        return List.of(WorkType.cpuSpin(), WorkType.yieldHeavy(), WorkType.mixed(), WorkType.cachePressure(32, 64), WorkType.niceSweep(),
                WorkType.policyChurn(64), WorkType.bursty(1, 1));
    }

    @Test
    void probeRecordsGapsAndCpus() {
        LoopProbe p = new LoopProbe(true, 0, 2_000, Map.of());
        p.start();
        p.addWorkUnits(1024);
        long t = System.nanoTime();
        while (System.nanoTime() - t < 30_000_000L) Thread.onSpinWait();
        p.iterationDone();
        p.end();
        assertThat(p.maxGapNs()).isGreaterThanOrEqualTo(30_000_000L);
        assertThat(p.cpusUsed()).isNotEmpty();
        assertThat(p.iterations()).isEqualTo(1);
    }
}

package dev.ktstr.guest.worker;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.ktstr.guest.sys.CpuMask;
import dev.ktstr.guest.sys.LibC;
import dev.ktstr.scenario.work.CustomWorker;
import dev.ktstr.scenario.work.Phase;
import dev.ktstr.scenario.work.WorkType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

/**
 * The hot loops of the 20 work types (spec §2.6). Every {@code iterate} works on state built in
 * the constructor or {@link WorkLoop#prepare}: no allocation per iteration (checked by
 * {@code HotLoopAllocationTest}). Blocking waits are bounded (futex waits time out every 100 ms,
 * sleeps are chunked) so a stop request always ends the loop.
 */
public final class Loops {
    private Loops() {}

    /** Where grouped workers meet: the group's IPC directory and this worker's place in it. */
    public record Group(Path ipcDir, Path privateDir, int workerIndex, int groupSize, int seed) {
        int groupIndex() {
            return workerIndex / groupSize;
        }

        int member() {
            return workerIndex % groupSize;
        }

        Path file(String kind, int member) {
            return ipcDir.resolve(kind + "-g" + groupIndex() + "-m" + member);
        }

        Path groupFile(String kind) {
            return ipcDir.resolve(kind + "-g" + groupIndex());
        }
    }

    public static WorkLoop create(WorkType t, Group g) {
        if (t instanceof WorkType.CpuSpin) return new CpuSpinLoop();
        if (t instanceof WorkType.YieldHeavy) return new YieldHeavyLoop();
        if (t instanceof WorkType.Mixed) return new MixedLoop();
        if (t instanceof WorkType.IoSync) return new IoSyncLoop(g);
        if (t instanceof WorkType.Bursty b) return new BurstyLoop(b.burstMs(), b.sleepMs());
        if (t instanceof WorkType.PipeIo p) return new PipeLoop(g, p.burstIters(), 0, 0);
        if (t instanceof WorkType.FutexPingPong f) return new FutexPingPongLoop(g, f.spinIters());
        if (t instanceof WorkType.CachePressure c) return new CacheLoop(c.sizeKb(), c.stride(), false);
        if (t instanceof WorkType.CacheYield c) return new CacheLoop(c.sizeKb(), c.stride(), true);
        if (t instanceof WorkType.CachePipe c) return new PipeLoop(g, 0, c.sizeKb(), c.burstIters());
        if (t instanceof WorkType.FutexFanOut f) return new FanOutLoop(g, f.spinIters(), 0, 0, 0);
        if (t instanceof WorkType.FanOutCompute f) return new FanOutLoop(g, 0, f.cacheFootprintKb(), f.operations(), f.sleepUsec());
        if (t instanceof WorkType.Sequence s) return new SequenceLoop(g, s.phases());
        if (t instanceof WorkType.ForkExit) return new ForkExitLoop();
        if (t instanceof WorkType.NiceSweep) return new NiceSweepLoop();
        if (t instanceof WorkType.AffinityChurn a) return new AffinityChurnLoop(a.spinIters(), g.seed());
        if (t instanceof WorkType.PolicyChurn p) return new PolicyChurnLoop(p.spinIters());
        if (t instanceof WorkType.PageFaultChurn p) return new PageFaultLoop(p.regionKb(), p.touchesPerCycle(), p.spinIters(), g.seed());
        if (t instanceof WorkType.MutexContention m) return new MutexLoop(g, m.holdIters(), m.workIters());
        if (t instanceof WorkType.Custom c) return new CustomLoop(c.className());
        throw new IllegalArgumentException("no worker loop for work type " + t.name());
    }

    /** Sleeps {@code us} microseconds in chunks of at most 50 ms so a stop request is seen. */
    static void sleepUs(long us, LoopProbe p) {
        long left = us;
        while (left > 0 && !p.stopRequested()) {
            int chunk = (int) Math.min(left, 50_000);
            LibC.usleep(chunk);
            left -= chunk;
        }
    }

    static void yieldTimed(LoopProbe p) {
        long t0 = System.nanoTime();
        LibC.sched_yield();
        p.recordWakeLatencyNs(System.nanoTime() - t0);
    }

    static final class CpuSpinLoop extends WorkLoop {
        @Override
        public void iterate(LoopProbe p) {
            p.addWorkUnits(Spin.steps(1024));
        }
    }

    static final class YieldHeavyLoop extends WorkLoop {
        @Override
        public void iterate(LoopProbe p) {
            p.addWorkUnits(1);
            LibC.sched_yield();
        }
    }

    static final class MixedLoop extends WorkLoop {
        @Override
        public void iterate(LoopProbe p) {
            p.addWorkUnits(Spin.steps(1024));
            LibC.sched_yield();
        }
    }

    static final class IoSyncLoop extends WorkLoop {
        private final Path path;
        private final byte[] block = new byte[4096];
        private RandomAccessFile file;

        IoSyncLoop(Group g) {
            path = g.privateDir().resolve("iosync-" + g.workerIndex() + "-" + g.seed());
        }

        @Override
        public void prepare() throws IOException {
            file = new RandomAccessFile(path.toFile(), "rw");
        }

        @Override
        public void iterate(LoopProbe p) throws IOException {
            file.setLength(0);
            file.seek(0);
            for (int i = 0; i < 16; i++) {
                file.write(block, 0, block.length);
                p.addWorkUnits(1);
            }
            long t0 = System.nanoTime();
            LibC.usleep(100);
            p.recordWakeLatencyNs(System.nanoTime() - t0);
            p.resetGapClock();
        }

        @Override
        public void close() throws IOException {
            if (file != null) file.close();
            Files.deleteIfExists(path);
        }
    }

    static final class BurstyLoop extends WorkLoop {
        private final long burstNs;
        private final long sleepUs;

        BurstyLoop(long burstMs, long sleepMs) {
            burstNs = burstMs * 1_000_000L;
            sleepUs = sleepMs * 1000L;
        }

        @Override
        public void iterate(LoopProbe p) {
            long end = System.nanoTime() + burstNs;
            while (System.nanoTime() < end && !p.stopRequested()) p.addWorkUnits(Spin.steps(1024));
            if (sleepUs > 0) {
                long t0 = System.nanoTime();
                sleepUs(sleepUs, p);
                p.recordWakeLatencyNs(System.nanoTime() - t0);
            }
            // Bursty does not reset the gap clock (spec §3.2): its sleeps count as gaps.
        }
    }

    /** Strided read-modify-writes over a private buffer; with yield for CacheYield. */
    static final class CacheLoop extends WorkLoop {
        private final long[] buf;
        private final int strideElems;
        private final boolean yield;
        private int idx;

        CacheLoop(int sizeKb, int stride, boolean yield) {
            buf = new long[Math.max(1, sizeKb * 1024 / 8)];
            strideElems = Math.max(1, stride / 8);
            this.yield = yield;
        }

        @Override
        public void iterate(LoopProbe p) {
            idx = touch(buf, idx, strideElems, 1024);
            p.addWorkUnits(1024);
            if (yield) yieldTimed(p);
        }

        static int touch(long[] buf, int start, int stride, int n) {
            int i = start;
            int len = buf.length;
            for (int k = 0; k < n; k++) {
                buf[i] += k;
                i += stride;
                if (i >= len) i -= len;
                if (i >= len) i = 0;
            }
            return i;
        }
    }

    /**
     * PipeIo and CachePipe: each member owns a FIFO opened O_RDWR (never blocks on open, never
     * sees EOF); an exchange writes one byte into the partner's FIFO and reads one from its own.
     * The stop watcher writes a byte into the worker's own FIFO to unblock its read.
     */
    static final class PipeLoop extends WorkLoop {
        private final Group g;
        private final int spinIters;
        private final long[] cache;
        private final int cacheIters;
        private RandomAccessFile in;
        private RandomAccessFile out;
        private RandomAccessFile selfWake;
        private int idx;

        PipeLoop(Group g, int spinIters, int cacheKb, int cacheIters) {
            if (g.groupSize() != 2) throw new IllegalArgumentException("pipe work types pair workers; group size must be 2, got " + g.groupSize());
            this.g = g;
            this.spinIters = spinIters;
            this.cache = cacheKb > 0 ? new long[cacheKb * 1024 / 8] : null;
            this.cacheIters = cacheIters;
        }

        @Override
        public void prepare() throws IOException {
            Path mine = g.file("pipe", g.member());
            Path theirs = g.file("pipe", 1 - g.member());
            Fifo.make(mine);
            Fifo.make(theirs);
            in = new RandomAccessFile(mine.toFile(), "rw");
            out = new RandomAccessFile(theirs.toFile(), "rw");
            selfWake = new RandomAccessFile(mine.toFile(), "rw");
        }

        @Override
        public void iterate(LoopProbe p) throws IOException {
            if (cache != null) {
                idx = CacheLoop.touch(cache, idx, 8, cacheIters);
                p.addWorkUnits(cacheIters);
            } else {
                p.addWorkUnits(Spin.steps(spinIters));
            }
            out.write(1);
            long t0 = System.nanoTime();
            in.read();
            p.recordWakeLatencyNs(System.nanoTime() - t0);
            p.resetGapClock();
        }

        @Override
        public void wakeForStop() {
            try {
                selfWake.write(0);
            } catch (IOException | RuntimeException ignored) {
                // the loop is gone already
            }
        }

        @Override
        public void close() throws IOException {
            for (RandomAccessFile f : new RandomAccessFile[] {in, out, selfWake}) if (f != null) f.close();
        }
    }

    /** Loops whose group shares one futex page: stopping wakes every waiter on it. */
    abstract static class SharedPageLoop extends WorkLoop {
        protected SharedPage page;

        @Override
        public void wakeForStop() {
            if (page != null) LibC.futexWake(page.address, Integer.MAX_VALUE);
        }

        @Override
        public void close() throws IOException {
            if (page != null) page.close();
        }
    }

    /** Two workers hand a shared word back and forth with FUTEX_WAKE / FUTEX_WAIT. */
    static final class FutexPingPongLoop extends SharedPageLoop {
        private final Group g;
        private final int spinIters;
        private final Memory timeout = Futex.timeout100ms();
        private int me;
        private int partner;

        FutexPingPongLoop(Group g, int spinIters) {
            if (g.groupSize() != 2) throw new IllegalArgumentException("FutexPingPong pairs workers; group size must be 2, got " + g.groupSize());
            this.g = g;
            this.spinIters = spinIters;
        }

        @Override
        public void prepare() throws IOException {
            page = new SharedPage(g.groupFile("futex"), 4096);
            me = g.member() + 1;
            partner = 2 - g.member();
        }

        @Override
        public void iterate(LoopProbe p) {
            p.addWorkUnits(Spin.steps(spinIters));
            page.setInt(0, partner);
            LibC.futexWake(page.address, 1);
            long t0 = System.nanoTime();
            int v;
            while ((v = page.getInt(0)) != me && !p.stopRequested()) {
                LibC.futexWait(page.address, v, Pointer.nativeValue(timeout));
            }
            p.recordWakeLatencyNs(System.nanoTime() - t0);
            p.resetGapClock();
        }

    }

    /**
     * FutexFanOut (computeOps == 0) and FanOutCompute: member 0 of each group is the messenger;
     * it stamps CLOCK_MONOTONIC, bumps a generation word and wakes the receivers. Receivers
     * record now − stamp as their wake latency.
     */
    static final class FanOutLoop extends SharedPageLoop {
        private static final int GEN = 0;
        private static final int STAMP = 8;
        private final Group g;
        private final int spinIters;
        private final int ops;
        private final int sleepUs;
        private final long[] a;
        private final long[] b;
        private final long[] c;
        private final int side;
        private final Memory timeout = Futex.timeout100ms();
        private int seen;

        FanOutLoop(Group g, int spinIters, int footprintKb, int ops, int sleepUs) {
            this.g = g;
            this.spinIters = spinIters;
            this.ops = ops;
            this.sleepUs = sleepUs;
            int n = ops > 0 ? Math.max(2, (int) Math.sqrt(footprintKb * 1024.0 / 3 / 8)) : 0;
            side = n;
            a = new long[n * n];
            b = new long[n * n];
            c = new long[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = i;
                b[i] = a.length - i;
            }
        }

        @Override
        public boolean messenger() {
            return g.member() == 0;
        }

        @Override
        public void prepare() throws IOException {
            page = new SharedPage(g.groupFile("fanout"), 4096);
            seen = page.getInt(GEN);
        }

        @Override
        public void iterate(LoopProbe p) {
            if (messenger()) {
                if (ops > 0) {
                    p.addWorkUnits(256);
                } else {
                    p.addWorkUnits(Spin.steps(spinIters));
                }
                page.setLong(STAMP, System.nanoTime());
                page.setInt(GEN, page.getInt(GEN) + 1);
                LibC.futexWake(page.address, g.groupSize() - 1);
                if (ops > 0 && sleepUs > 0) sleepUs(sleepUs, p);
                p.resetGapClock();
                return;
            }
            int gen;
            while ((gen = page.getInt(GEN)) == seen && !p.stopRequested()) {
                LibC.futexWait(page.address, gen, Pointer.nativeValue(timeout));
            }
            if (gen != seen) {
                seen = gen;
                p.recordWakeLatencyNs(System.nanoTime() - page.getLong(STAMP));
            }
            p.resetGapClock();
            if (ops > 0) {
                if (sleepUs > 0) sleepUs(sleepUs, p);
                for (int k = 0; k < ops; k++) {
                    multiply();
                    p.addWorkUnits(1);
                }
            } else {
                p.addWorkUnits(Spin.steps(spinIters));
            }
        }

        private void multiply() {
            int n = side;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    long s = 0;
                    for (int k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
                    c[i * n + j] = s;
                }
            }
        }

    }

    /** Cycles spin / sleep / yield / io phases. */
    static final class SequenceLoop extends WorkLoop {
        private final int[] kinds;
        private final long[] durNs;
        private final Path ioPath;
        private final byte[] block = new byte[4096];
        private RandomAccessFile io;

        SequenceLoop(Group g, List<Phase> phases) {
            kinds = new int[phases.size()];
            durNs = new long[phases.size()];
            for (int i = 0; i < kinds.length; i++) {
                kinds[i] = phases.get(i).kind().ordinal();
                durNs[i] = phases.get(i).durationUs() * 1000L;
            }
            ioPath = g.privateDir().resolve("seq-io-" + g.workerIndex() + "-" + g.seed());
        }

        @Override
        public void prepare() throws IOException {
            io = new RandomAccessFile(ioPath.toFile(), "rw");
        }

        @Override
        public void iterate(LoopProbe p) throws IOException {
            for (int i = 0; i < kinds.length && !p.stopRequested(); i++) {
                long start = System.nanoTime();
                long end = start + durNs[i];
                switch (kinds[i]) {
                    case 0 -> { // SPIN
                        while (System.nanoTime() < end && !p.stopRequested()) p.addWorkUnits(Spin.steps(1024));
                    }
                    case 1 -> { // SLEEP
                        sleepUs(durNs[i] / 1000, p);
                        p.recordWakeLatencyNs(System.nanoTime() - start);
                        p.resetGapClock();
                    }
                    case 2 -> { // YIELD
                        while (System.nanoTime() < end && !p.stopRequested()) yieldTimed(p);
                        p.resetGapClock();
                    }
                    default -> { // IO
                        io.setLength(0);
                        io.seek(0);
                        while (System.nanoTime() < end && !p.stopRequested()) {
                            io.write(block, 0, block.length);
                            p.addWorkUnits(1);
                        }
                        p.recordWakeLatencyNs(System.nanoTime() - start);
                        p.resetGapClock();
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (io != null) io.close();
            Files.deleteIfExists(ioPath);
        }
    }

    /**
     * A JVM cannot safely fork() and keep running Java in the child, so the child is created with
     * posix_spawn (clone + exec of {@code true}) and reaped with waitpid; the scheduler still sees
     * a task created, run and exited per iteration.
     */
    static final class ForkExitLoop extends WorkLoop {
        private final int[] pid = new int[1];
        private final int[] status = new int[1];
        private Memory path;
        private Memory argv;
        private Memory envp;
        private Memory arg0;

        @Override
        public void prepare() {
            String bin = null;
            String name = "true";
            for (String c : new String[] {"/bin/true", "/usr/bin/true", "/bin/busybox"}) {
                if (Files.isExecutable(Path.of(c))) {
                    bin = c;
                    break;
                }
            }
            if (bin == null) throw new IllegalStateException("ForkExit needs /bin/true, /usr/bin/true or /bin/busybox in the guest");
            path = cString(bin);
            arg0 = cString(name);
            argv = new Memory(2L * Native.POINTER_SIZE);
            argv.setPointer(0, arg0);
            argv.setPointer(Native.POINTER_SIZE, null);
            envp = new Memory(Native.POINTER_SIZE);
            envp.setPointer(0, null);
        }

        private static Memory cString(String s) {
            byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Memory m = new Memory(b.length + 1L);
            m.write(0, b, 0, b.length);
            m.setByte(b.length, (byte) 0);
            return m;
        }

        @Override
        public void iterate(LoopProbe p) {
            int rc = Spawn.posix_spawn(pid, path, null, null, argv, envp);
            if (rc != 0) throw new IllegalStateException("posix_spawn failed: errno " + rc);
            long t0 = System.nanoTime();
            Spawn.waitpid(pid[0], status, 0);
            p.recordWakeLatencyNs(System.nanoTime() - t0);
            p.addWorkUnits(1);
        }
    }

    /** 512 spin steps, step the thread's nice through −20..19 (0..19 when not permitted), yield. */
    static final class NiceSweepLoop extends WorkLoop {
        private int tid;
        private int lo;
        private int nice;
        private int original;

        @Override
        public void beforeLoop() {
            tid = LibC.gettid();
            original = 0;
            lo = LibC.setpriority(LibC.PRIO_PROCESS, tid, -20) == 0 ? -20 : 0;
            nice = lo;
        }

        @Override
        public void iterate(LoopProbe p) {
            p.addWorkUnits(Spin.steps(512));
            nice = nice >= 19 ? lo : nice + 1;
            LibC.setpriority(LibC.PRIO_PROCESS, tid, nice);
            yieldTimed(p);
        }

        @Override
        public void close() {
            if (tid != 0) LibC.setpriority(LibC.PRIO_PROCESS, tid, original);
        }
    }

    /** Spin, then pin to a random CPU of the affinity the worker started with, yield. */
    static final class AffinityChurnLoop extends WorkLoop {
        private final int spinIters;
        private final long[] mask = new long[CpuMask.WORDS];
        private int[] cpus;
        private int tid;
        private long rnd;

        AffinityChurnLoop(int spinIters, int seed) {
            this.spinIters = spinIters;
            this.rnd = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        }

        @Override
        public void beforeLoop() {
            tid = LibC.gettid();
            long[] initial = new long[CpuMask.WORDS];
            if (LibC.sched_getaffinity(tid, CpuMask.BYTES, initial) != 0) {
                throw new IllegalStateException("sched_getaffinity failed: errno " + LibC.errno());
            }
            BitSet s = CpuMask.fromWords(initial);
            cpus = s.stream().toArray();
        }

        @Override
        public void iterate(LoopProbe p) {
            p.addWorkUnits(Spin.steps(spinIters));
            rnd ^= rnd << 13;
            rnd ^= rnd >>> 7;
            rnd ^= rnd << 17;
            int cpu = cpus[(int) Long.remainderUnsigned(rnd, cpus.length)];
            for (int i = 0; i < mask.length; i++) mask[i] = 0;
            mask[cpu >>> 6] = 1L << (cpu & 63);
            LibC.sched_setaffinity(tid, CpuMask.BYTES, mask);
            yieldTimed(p);
        }
    }

    /** Spin, switch OTHER→BATCH→IDLE(→FIFO 1→RR 1 when permitted), yield; restores OTHER at the end. */
    static final class PolicyChurnLoop extends WorkLoop {
        private final int spinIters;
        private final int[] zero = {0};
        private final int[] one = {1};
        private int[] policies;
        private int next;
        private int tid;

        PolicyChurnLoop(int spinIters) {
            this.spinIters = spinIters;
        }

        @Override
        public void beforeLoop() {
            tid = LibC.gettid();
            boolean rt = LibC.sched_setscheduler(tid, LibC.SCHED_FIFO, one) == 0;
            LibC.sched_setscheduler(tid, LibC.SCHED_OTHER, zero);
            policies = rt
                    ? new int[] {LibC.SCHED_OTHER, LibC.SCHED_BATCH, LibC.SCHED_IDLE, LibC.SCHED_FIFO, LibC.SCHED_RR}
                    : new int[] {LibC.SCHED_OTHER, LibC.SCHED_BATCH, LibC.SCHED_IDLE};
        }

        @Override
        public void iterate(LoopProbe p) {
            p.addWorkUnits(Spin.steps(spinIters));
            int pol = policies[next];
            next = next + 1 == policies.length ? 0 : next + 1;
            LibC.sched_setscheduler(tid, pol, pol == LibC.SCHED_FIFO || pol == LibC.SCHED_RR ? one : zero);
            yieldTimed(p);
        }

        @Override
        public void close() {
            if (tid != 0) LibC.sched_setscheduler(tid, LibC.SCHED_OTHER, zero);
        }
    }

    /** Write-touch random pages of a private anonymous region, drop them with MADV_DONTNEED, spin. */
    static final class PageFaultLoop extends WorkLoop {
        private final long length;
        private final int pages;
        private final int touches;
        private final int spinIters;
        private long addr;
        private Pointer region;
        private long rnd;

        PageFaultLoop(int regionKb, int touches, int spinIters, int seed) {
            this.length = Math.max(4096L, regionKb * 1024L);
            this.pages = (int) (length / 4096);
            this.touches = touches;
            this.spinIters = spinIters;
            this.rnd = seed == 0 ? 0x2545F4914F6CDD1DL : seed;
        }

        @Override
        public void prepare() {
            addr = LibC.mmap(0, length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
            if (addr == LibC.MAP_FAILED || addr == 0) throw new IllegalStateException("mmap of " + length + " bytes failed: errno " + LibC.errno());
            LibC.madvise(addr, length, LibC.MADV_NOHUGEPAGE);
            region = new Pointer(addr);
        }

        @Override
        public void iterate(LoopProbe p) {
            for (int i = 0; i < touches; i++) {
                rnd ^= rnd << 13;
                rnd ^= rnd >>> 7;
                rnd ^= rnd << 17;
                long page = Long.remainderUnsigned(rnd, pages);
                region.setByte(page * 4096L, (byte) i);
            }
            LibC.madvise(addr, length, LibC.MADV_DONTNEED);
            p.addWorkUnits(Spin.steps(spinIters));
        }

        @Override
        public void close() {
            if (addr != 0) LibC.munmap(addr, length);
        }
    }

    /** Contenders CAS a shared lock word, FUTEX_WAIT when it is held; wait time = latency sample. */
    static final class MutexLoop extends SharedPageLoop {
        private final Group g;
        private final int hold;
        private final int work;
        private final Memory timeout = Futex.timeout100ms();

        MutexLoop(Group g, int hold, int work) {
            this.g = g;
            this.hold = hold;
            this.work = work;
        }

        @Override
        public void prepare() throws IOException {
            page = new SharedPage(g.groupFile("mutex"), 4096);
        }

        @Override
        public void iterate(LoopProbe p) {
            p.addWorkUnits(Spin.steps(work));
            long t0 = 0;
            boolean contended = false;
            while (!page.casInt(0, 0, 1)) {
                if (!contended) {
                    contended = true;
                    t0 = System.nanoTime();
                }
                if (p.stopRequested()) return;
                LibC.futexWait(page.address, 1, Pointer.nativeValue(timeout));
            }
            if (contended) {
                p.recordWakeLatencyNs(System.nanoTime() - t0);
                p.resetGapClock();
            }
            p.addWorkUnits(Spin.steps(hold));
            page.setInt(0, 0);
            LibC.futexWake(page.address, 1);
        }

    }

    /** Runs a user {@link CustomWorker}; it owns the loop and reports through the probe. */
    static final class CustomLoop extends WorkLoop {
        private final String className;
        private CustomWorker worker;

        CustomLoop(String className) {
            this.className = className;
        }

        @Override
        public void prepare() throws ReflectiveOperationException {
            Class<?> c = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
            if (!CustomWorker.class.isAssignableFrom(c)) {
                throw new IllegalArgumentException("custom worker class " + className + " does not implement " + CustomWorker.class.getName());
            }
            worker = (CustomWorker) c.getDeclaredConstructor().newInstance();
        }

        @Override
        public boolean ownsLoop() {
            return true;
        }

        @Override
        public void iterate(LoopProbe p) throws Exception {
            worker.run(p);
        }
    }
}

package dev.ktstr.worker.vm;

import dev.ktstr.protocol.outcome.HostStarvation;
import dev.ktstr.vmm.qemu.VcpuThread;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples the run_delay of QEMU's vCPU threads from the host ({@code /proc/<pid>/task/<tid>/schedstat})
 * every {@value #INTERVAL_MS} ms while the VM runs, so the verdict can tell a scheduling gap the
 * guest's scheduler made from one the host made by not running the vCPU. It measures the host
 * only: nothing of it reaches the guest.
 */
final class VcpuRunDelaySampler implements AutoCloseable {
    static final long INTERVAL_MS = 100;

    private final Path[] files;
    private final int[] vcpus;
    private final List<long[]> samples = new ArrayList<>(); // per sample: [wall ns, delay of thread 0, ...]
    private final Thread thread;
    private volatile boolean stop;

    private VcpuRunDelaySampler(long pid, List<VcpuThread> threads) {
        files = new Path[threads.size()];
        vcpus = new int[threads.size()];
        for (int i = 0; i < threads.size(); i++) {
            files[i] = Path.of("/proc", Long.toString(pid), "task", Long.toString(threads.get(i).hostThreadId()), "schedstat");
            vcpus[i] = threads.get(i).cpuIndex();
        }
        thread = new Thread(this::run, "vcpu-run-delay");
        thread.setDaemon(true);
    }

    /** A started sampler, or null when the host has no schedstat for these threads (CONFIG_SCHEDSTATS off) or none are known. */
    static VcpuRunDelaySampler start(long pid, List<VcpuThread> threads) {
        if (threads.isEmpty()) return null;
        VcpuRunDelaySampler s = new VcpuRunDelaySampler(pid, threads);
        if (s.sample() == null) return null;
        s.thread.start();
        return s;
    }

    private long[] sample() {
        long[] row = new long[files.length + 1];
        row[0] = System.nanoTime();
        for (int i = 0; i < files.length; i++) {
            try {
                String[] f = Files.readString(files[i]).trim().split("\\s+");
                row[i + 1] = Long.parseLong(f[1]);
            } catch (IOException | RuntimeException e) {
                return null; // the thread is gone (VM exiting) or the file is not there
            }
        }
        return row;
    }

    private void run() {
        while (!stop) {
            long[] row = sample();
            if (row == null) return;
            synchronized (samples) {
                samples.add(row);
            }
            try {
                Thread.sleep(INTERVAL_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops sampling and summarises: the longest wait of any vCPU thread. */
    HostStarvation result() {
        close();
        List<long[]> rows;
        synchronized (samples) {
            rows = List.copyOf(samples);
        }
        if (rows.size() < 2) return null;
        long best = 0;
        int bestVcpu = vcpus[0];
        long total = 0;
        for (int t = 0; t < files.length; t++) {
            long[] wall = new long[rows.size() - 1];
            long[] delay = new long[rows.size() - 1];
            for (int i = 1; i < rows.size(); i++) {
                wall[i - 1] = rows.get(i)[0] - rows.get(i - 1)[0];
                delay[i - 1] = Math.max(0, rows.get(i)[t + 1] - rows.get(i - 1)[t + 1]);
                total += delay[i - 1];
            }
            long w = HostStarvation.longestWaitNs(wall, delay);
            if (w > best) {
                best = w;
                bestVcpu = vcpus[t];
            }
        }
        return new HostStarvation(best / 1_000_000, bestVcpu, total / 1_000_000, rows.size(), INTERVAL_MS);
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

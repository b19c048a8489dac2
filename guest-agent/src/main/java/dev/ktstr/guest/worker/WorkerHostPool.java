package dev.ktstr.guest.worker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Worker hosts started ahead of need. A JVM start is the expensive part of a spawn under emulation;
 * hosts started while the agent mounts, attaches the scheduler and builds cgroups are warm by the
 * time the scenario spawns, and a spawn then costs a few milliseconds. Hosts are only ever started
 * ahead at setup time, never during a workload (a JVM starting up next to measured workers would be
 * harness noise). Unused hosts are killed at close.
 */
public final class WorkerHostPool implements AutoCloseable {
    private final WorkerCommand command;
    private final Path dir;
    private final Deque<WorkerHost> idle = new ArrayDeque<>();
    private final List<WorkerHost> all = new ArrayList<>();
    private int started;
    private int prestarted;
    private int taken;
    private int takenWarm;

    public WorkerHostPool(WorkerCommand command, Path dir) {
        this.command = command;
        this.dir = dir;
    }

    /** Starts {@code n} hosts now; they warm up in the background. */
    public synchronized void prestart(int n) throws IOException {
        // the agent's own side of the codec, warmed off the spawn's critical path
        Thread warm = new Thread(() -> HostCodec.decode(HostCodec.encode(WorkerThread.sampleLaunch()), HostLaunch.class), "host-codec-warm");
        warm.setDaemon(true);
        warm.start();
        for (int i = 0; i < n; i++) {
            idle.add(startOne());
            prestarted++;
        }
    }

    /** A pre-started host if one is left (warm ones first), else a new one. */
    public synchronized WorkerHost take() throws IOException {
        taken++;
        WorkerHost pick = null;
        for (WorkerHost h : idle) {
            if (h.alive() && h.warm()) {
                pick = h;
                break;
            }
        }
        if (pick == null) {
            while (!idle.isEmpty() && !idle.peekFirst().alive()) idle.pollFirst();
            pick = idle.pollFirst();
        } else {
            idle.remove(pick);
        }
        if (pick == null) return startOne();
        if (pick.warm()) takenWarm++;
        return pick;
    }

    private WorkerHost startOne() throws IOException {
        started++;
        WorkerHost h = WorkerHost.start(command, dir.resolve("host-" + started + ".err"));
        all.add(h);
        return h;
    }

    /** JVMs started in all (pre-started ones included). */
    public synchronized int started() {
        return started;
    }

    public synchronized String describe() {
        return started + " worker host JVM(s) started (" + prestarted + " ahead of need), " + taken + " used, " + takenWarm
                + " of them already warm";
    }

    /** Kills the hosts nobody took. Hosts in use are the backend's to kill. */
    @Override
    public synchronized void close() {
        for (WorkerHost h : idle) h.kill(null);
        idle.clear();
    }
}

package dev.ktstr.examples;

import dev.ktstr.scenario.work.CustomWorker;
import dev.ktstr.scenario.work.WorkerProbe;

/** A user-written worker: spin a little, sleep 1 ms, record how late the wake-up was. Allocates nothing in the loop. */
public final class SpinAndNapWorker implements CustomWorker {
    @Override
    public void run(WorkerProbe probe) throws Exception {
        long sink = 0;
        while (!probe.stopRequested()) {
            for (int i = 0; i < 20_000; i++) sink += i ^ (sink >>> 3);
            probe.addWorkUnits(1);
            long before = System.nanoTime();
            Thread.sleep(1);
            long overslept = System.nanoTime() - before - 1_000_000L;
            probe.recordWakeLatencyNs(Math.max(0, overslept));
            probe.resetGapClock();
            probe.iterationDone();
        }
        if (sink == 42) System.out.print(""); // keep the loop from being optimised away
    }
}

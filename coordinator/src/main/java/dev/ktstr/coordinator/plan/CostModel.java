package dev.ktstr.coordinator.plan;

import dev.ktstr.protocol.topology.Topology;
import java.util.Locale;

/**
 * Estimated wall-clock seconds of one variant, used by budget selection and placement. Two models:
 * the spec's (KVM, where boot is near-native) and a TCG one calibrated on this project's machines.
 */
public sealed interface CostModel permits CostModel.Spec, CostModel.Tcg {

    double estimateSecs(PlanTest test, Topology topology);

    String describe();

    /** {@code kvm} → {@link Spec}; {@code tcg} → {@link Tcg#DEFAULT}. */
    static CostModel forAccelerator(String accelerator) {
        String a = accelerator == null ? "" : accelerator.toLowerCase(Locale.ROOT);
        return switch (a) {
            case "kvm" -> Spec.INSTANCE;
            case "tcg" -> Tcg.DEFAULT;
            default -> throw new IllegalArgumentException("unknown accelerator '" + accelerator + "': expected kvm or tcg");
        };
    }

    /**
     * ktstr-spec §7: host-only {@code duration + 2}; VM {@code 10 + max(0, cpus - 16) / 10} (integer
     * division) {@code + duration + 2 (+ 3 with performance mode)}. The 10 s covers a 16-CPU KVM boot.
     */
    record Spec() implements CostModel {
        public static final Spec INSTANCE = new Spec();

        @Override
        public double estimateSecs(PlanTest test, Topology topology) {
            if (test.hostOnly()) return test.durationS() + 2;
            int cpus = TopologyPreset.cpus(topology);
            return 10 + Math.max(0, cpus - 16) / 10 + test.durationS() + 2 + (test.performanceMode() ? 3 : 0);
        }

        @Override
        public String describe() {
            return "spec/kvm: 10 + max(0, cpus-16)/10 + duration + 2 (+3 perf)";
        }
    }

    /**
     * TCG: {@code bootBaseSecs + perVcpuSecs x cpus (+ multiNodeSecs when NUMA > 1) + duration + 2
     * (+3 perf)}; host-only as in the spec. Defaults from vm-boot-probe.md (2-core host, vCPUs
     * overcommitted): microvm+PVH boot to /init ~1.9 s at 1 vCPU and ~3.4 s at 8 vCPUs (~0.2 s per
     * vCPU), guest JVM start ~1.1-1.5 s, scheduler attach and agent handshake ~1 s: base 4 s;
     * q35 (needed for NUMA) boots ~1.5 s slower than microvm. Above ~8 vCPUs this is a linear
     * extrapolation, not a measurement; the coordinator can replace it with measured figures.
     * Whole ktstr-java test VMs cost more than the boot: the guest agent JVM and the worker host JVMs
     * start under emulation. Recalibrated after the worker host model (workers as threads, parallel
     * spawn, AOT cache) with {@code bench/overhead.sh -n 3} on the 2-core host (load ~4): 1-vCPU empty
     * test 13.7 s, 2 vCPUs with 2 groups x 2 workers 23.9-31.6 s, 8 vCPUs with 16 workers 43.5-54.0 s
     * (durations 2 s): base 18 s and 3 s per vCPU. Before that model, 25 + 10 per vCPU.
     */
    record Tcg(double bootBaseSecs, double perVcpuSecs, double multiNodeSecs) implements CostModel {
        public static final Tcg DEFAULT = new Tcg(18.0, 3.0, 1.5);

        public Tcg {
            if (!(bootBaseSecs >= 0) || !(perVcpuSecs >= 0) || !(multiNodeSecs >= 0)) {
                throw new IllegalArgumentException("TCG cost model figures must be finite and >= 0: base="
                        + bootBaseSecs + " perVcpu=" + perVcpuSecs + " multiNode=" + multiNodeSecs);
            }
        }

        @Override
        public double estimateSecs(PlanTest test, Topology topology) {
            if (test.hostOnly()) return test.durationS() + 2;
            int cpus = TopologyPreset.cpus(topology);
            return bootBaseSecs + perVcpuSecs * cpus + (topology.numaNodes() > 1 ? multiNodeSecs : 0)
                    + test.durationS() + 2 + (test.performanceMode() ? 3 : 0);
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "tcg: %.1f + %.2f x cpus (+%.1f numa>1) + duration + 2 (+3 perf)",
                    bootBaseSecs, perVcpuSecs, multiNodeSecs);
        }
    }
}

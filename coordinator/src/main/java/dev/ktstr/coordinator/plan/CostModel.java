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
     * Whole ktstr-java test VMs take far longer than the boot alone: the guest agent JVM and one JVM
     * per worker start under emulation. Calibrated on the example suite (41 variants, one run on this
     * 2-core host while it also compiled a kernel: 1-vCPU empty test 16 s, 2-vCPU tests with 2-4
     * workers 30-95 s, median ~55 s; 4 vCPUs 54-177 s; 8 vCPUs/16 workers 213 s): base 25 s and 10 s
     * per vCPU (more vCPUs, more workers). An idle host is faster; how much was not measured.
     */
    record Tcg(double bootBaseSecs, double perVcpuSecs, double multiNodeSecs) implements CostModel {
        public static final Tcg DEFAULT = new Tcg(25.0, 10.0, 1.5);

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

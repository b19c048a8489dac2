package dev.ktstr.cli.shell;

import dev.ktstr.protocol.topology.Topology;

/**
 * Guest RAM for a shell VM. The kernel keeps the initramfs image and its unpacked copy in RAM
 * during boot, so twice the image size comes on top of what the CPUs and the shell need.
 */
final class MemoryEstimate {
    static final int BASE_MB = 256;
    static final int PER_CPU_MB = 64;
    static final int PER_NODE_MIN_MB = 128;
    static final int WORKING_MB = 64;

    private MemoryEstimate() {}

    static int defaultMb(Topology t, long initrdBytes) {
        int initrdMb = (int) ((initrdBytes + (1 << 20) - 1) >> 20);
        int base = Math.max(BASE_MB, Math.max(PER_CPU_MB * t.totalCpus(), PER_NODE_MIN_MB * t.numaNodes()));
        return base + 2 * initrdMb;
    }

    static void requireFits(int memoryMb, long initrdBytes) {
        int initrdMb = (int) ((initrdBytes + (1 << 20) - 1) >> 20);
        int need = 2 * initrdMb + WORKING_MB;
        if (memoryMb < need) {
            throw new ShellCommand.UsageError("--memory-mb " + memoryMb + " is too small for a " + initrdMb
                    + " MB initramfs (it is unpacked in RAM): use at least " + need);
        }
    }
}

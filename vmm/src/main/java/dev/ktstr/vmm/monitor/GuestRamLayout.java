package dev.ktstr.vmm.monitor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where QEMU puts guest RAM in guest-physical space on x86. The per-NUMA-node backends are
 * concatenated (node 0 first) into one RAM block; its first {@code belowFourG} bytes are mapped at
 * guest-physical 0, the rest at 4 GiB. Pure, so the arithmetic is unit tested.
 */
public final class GuestRamLayout {
    public static final long FOUR_G = 1L << 32;

    private GuestRamLayout() {}

    /**
     * The below-4G RAM size QEMU 7.x chooses: q35/pc put at most 2 GiB below 4G once RAM reaches
     * 2.75 GiB (else up to 2.75 GiB); microvm up to 3.5 GiB (MICROVM_MAX_BELOW_4G).
     */
    public static long belowFourG(String machine, long ramBytes) {
        long lowmem = switch (machine) {
            case "microvm" -> 0xe0000000L;
            default -> ramBytes >= 0xb0000000L ? 0x80000000L : 0xb0000000L;
        };
        return Math.min(ramBytes, lowmem);
    }

    /** Regions for node files of the given sizes (in node order). */
    public static List<RamRegion> regions(List<Path> nodeFiles, List<Long> nodeSizes, long belowFourG) {
        List<RamRegion> out = new ArrayList<>();
        long blockOff = 0;
        for (int i = 0; i < nodeFiles.size(); i++) {
            long size = nodeSizes.get(i);
            long start = blockOff;
            long end = blockOff + size;
            if (start < belowFourG) {
                long lowEnd = Math.min(end, belowFourG);
                out.add(new RamRegion(start, lowEnd - start, nodeFiles.get(i), 0));
            }
            if (end > belowFourG) {
                long hiStart = Math.max(start, belowFourG);
                out.add(new RamRegion(FOUR_G + (hiStart - belowFourG), end - hiStart, nodeFiles.get(i), hiStart - start));
            }
            blockOff = end;
        }
        return out;
    }
}

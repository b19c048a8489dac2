package dev.ktstr.vmm.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host TSC frequency in kHz. Under TCG the guest's rdtsc is the host TSC, so this is what the
 * guest should be told with {@code tsc_early_khz}.
 */
public final class TscFrequency {
    private TscFrequency() {}

    /** The frequency, or 0 when it cannot be determined (then the guest calibrates itself). */
    public static long hostKhz() {
        return hostKhz(Path.of("/"));
    }

    static long hostKhz(Path root) {
        try {
            Path sys = root.resolve("sys/devices/system/cpu/cpu0/tsc_freq_khz");
            if (Files.isReadable(sys)) return Long.parseLong(Files.readString(sys).trim());
        } catch (IOException | NumberFormatException e) {
            // fall through to cpuinfo
        }
        try {
            return fromCpuinfo(Files.readString(root.resolve("proc/cpuinfo")));
        } catch (IOException e) {
            return 0;
        }
    }

    /** "cpu MHz : 2596.120" of the first CPU; only trusted with constant_tsc (else it is the current clock). */
    static long fromCpuinfo(String cpuinfo) {
        double mhz = -1;
        boolean constant = false;
        for (String line : cpuinfo.split("\n")) {
            if (line.isBlank()) break; // first processor block only
            if (line.startsWith("cpu MHz")) {
                try {
                    mhz = Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
                } catch (NumberFormatException e) {
                    mhz = -1;
                }
            } else if (line.startsWith("flags")) {
                constant = (" " + line.substring(line.indexOf(':') + 1) + " ").contains(" constant_tsc ");
            }
        }
        return mhz > 0 && constant ? Math.round(mhz * 1000) : 0;
    }
}

package dev.ktstr.vmm.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that the options ktstr cannot work without survived {@code make olddefconfig}, which silently drops
 * options whose dependencies are unmet. Each missing option comes with the usual reason it vanishes.
 */
public final class ConfigVerifier {
    private ConfigVerifier() {}

    /** Option (without CONFIG_) → remediation hint. Ordered as reported. */
    public static final Map<String, String> REQUIRED = requiredOptions();

    private static Map<String, String> requiredOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("SCHED_CLASS_EXT", "needs a 6.12+ kernel with BPF_SYSCALL, BPF_JIT and DEBUG_INFO_BTF; older trees have no sched_ext");
        m.put("DEBUG_INFO_BTF", "needs pahole >= 1.16 on the build host (apt install dwarves) and DWARF debug info (DEBUG_INFO, not REDUCED or SPLIT)");
        m.put("BPF_SYSCALL", "needs BPF=y; check the fragment was appended before olddefconfig");
        m.put("FTRACE", "needs TRACING_SUPPORT; some arch configs hide it behind EXPERT");
        m.put("KPROBE_EVENTS", "needs KPROBES and FTRACE");
        m.put("BPF_EVENTS", "needs BPF_SYSCALL and KPROBE_EVENTS or UPROBE_EVENTS");
        m.put("PVH", "needs HYPERVISOR_GUEST (x86_64); without it QEMU cannot boot vmlinux directly, only bzImage");
        m.put("VIRTIO_CONSOLE", "needs VIRTIO, TTY and HVC_DRIVER; ktstr's host-guest channel is a virtio-serial port");
        m.put("VIRTIO_MMIO", "needs VIRTIO_MENU and HAS_IOMEM; QEMU microvm has only virtio-mmio devices");
        m.put("SERIAL_8250_CONSOLE", "needs SERIAL_8250=y (built in, not a module): the kernel log goes to ttyS0");
        m.put("CPUSETS", "needs CGROUPS; the scenarios pin cgroups to CPU sets");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** An option that is not {@code =y}; {@code actual} is its value or "not set". */
    public record Missing(String option, String actual, String hint) {
        @Override
        public String toString() {
            return "CONFIG_" + option + " is " + actual + " (" + hint + ")";
        }
    }

    /** Options of a {@code .config}: {@code CONFIG_X=v} lines; "is not set" comments are absent. */
    public static Map<String, String> parseConfig(Path dotConfig) {
        Map<String, String> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(dotConfig)) {
                if (!line.startsWith("CONFIG_")) continue;
                int eq = line.indexOf('=');
                if (eq > 7) out.put(line.substring(7, eq), line.substring(eq + 1));
            }
        } catch (IOException e) {
            throw new KernelException("cannot read kernel config " + dotConfig + ": " + e.getMessage(), e);
        }
        return out;
    }

    public static List<Missing> verify(Path dotConfig, Arch arch) {
        Map<String, String> config = parseConfig(dotConfig);
        List<Missing> missing = new ArrayList<>();
        REQUIRED.forEach((opt, hint) -> {
            if (opt.equals("PVH") && arch != Arch.X86_64) return;
            String v = config.get(opt);
            if (!"y".equals(v)) missing.add(new Missing(opt, v == null ? "not set" : "=" + v, hint));
        });
        return missing;
    }

    /** The error text for a failed verification, naming every dropped option and what to do. */
    public static String describe(Path dotConfig, List<Missing> missing) {
        StringBuilder sb = new StringBuilder("required kernel options did not survive `make olddefconfig` in ")
                .append(dotConfig).append(":\n");
        for (Missing m : missing) sb.append("  - ").append(m).append('\n');
        sb.append("Fix the dependencies (or the fragment ktstr.kconfig) and rerun `ktstr kernel build --force`.");
        return sb.toString();
    }
}

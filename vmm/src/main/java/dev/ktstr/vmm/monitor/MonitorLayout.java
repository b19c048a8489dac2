package dev.ktstr.vmm.monitor;

import dev.ktstr.vmm.btf.Btf;
import dev.ktstr.vmm.btf.BtfException;
import dev.ktstr.vmm.btf.ResolvedField;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run-queue fields the monitor reads, resolved by name from the guest kernel's BTF. A field
 * the kernel does not have is absent with the reason, never guessed.
 *
 * @param fields  resolved fields by key ({@code nr_running}, {@code scx.local_dsq.nr}, ...)
 * @param absent  field key to the reason it cannot be sampled
 */
public record MonitorLayout(Map<String, ResolvedField> fields, Map<String, String> absent) {
    public static final String NR_RUNNING = "nr_running";
    public static final String CLOCK = "clock";
    public static final String SCX_NR_RUNNING = "scx.nr_running";
    public static final String SCX_LOCAL_DSQ_NR = "scx.local_dsq.nr";
    public static final String SCX_FLAGS = "scx.flags";
    public static final List<String> SCHEDSTAT = List.of("rq_sched_info.run_delay", "rq_sched_info.pcount", "yld_count",
            "sched_count", "sched_goidle", "ttwu_count", "ttwu_local");
    public static final String EVENT_COUNTERS = "scx event counters";

    public MonitorLayout {
        fields = Map.copyOf(fields);
        absent = Map.copyOf(absent);
    }

    public Optional<ResolvedField> field(String key) {
        return Optional.ofNullable(fields.get(key));
    }

    /** Resolves every field; throws only if the two fields every check needs are missing. */
    public static MonitorLayout resolve(Btf btf, KernelSymbols syms) throws BtfException {
        Map<String, ResolvedField> f = new LinkedHashMap<>();
        Map<String, String> absent = new LinkedHashMap<>();
        for (String k : List.of(NR_RUNNING, CLOCK)) f.put(k, btf.resolve("rq", k)); // required
        for (String k : List.of(SCX_NR_RUNNING, SCX_LOCAL_DSQ_NR, SCX_FLAGS)) {
            try {
                f.put(k, btf.resolve("rq", k));
            } catch (BtfException e) {
                absent.put(k, "kernel without sched_ext (CONFIG_SCHED_CLASS_EXT): " + e.getMessage());
            }
        }
        for (String k : SCHEDSTAT) {
            try {
                f.put(k, btf.resolve("rq", k));
            } catch (BtfException e) {
                absent.put(k, "kernel without CONFIG_SCHEDSTATS: " + e.getMessage());
            }
        }
        if (btf.struct("scx_event_stats").isEmpty()) {
            absent.put(EVENT_COUNTERS, "kernel has no sched_ext event counters (struct scx_event_stats is not in its BTF; added in 6.15)");
        } else {
            // The per-CPU counters hang off scx_root->pcpu (6.16+) or a static per-CPU variable
            // (6.15); neither layout is wired up yet, so report them as absent rather than guess.
            absent.put(EVENT_COUNTERS, "kernel has sched_ext event counters but reading them is not implemented yet");
        }
        for (String sym : List.of("runqueues", "__per_cpu_offset")) {
            if (syms.address(sym).isEmpty()) throw new BtfException("System.map lacks '" + sym + "', needed to find run queues");
        }
        return new MonitorLayout(f, absent);
    }

    /** Reads a resolved field at {@code base} as an unsigned integer of its own width. */
    long read(KernelAddressSpace as, long rqKva, String key) throws GuestMemoryException {
        ResolvedField r = fields.get(key);
        long pa = as.toPhys(rqKva + r.offset());
        return switch ((int) r.size()) {
            case 8 -> as.memory().readU64(pa);
            case 4 -> as.memory().readU32(pa) & 0xffffffffL;
            default -> throw new GuestMemoryException("field " + key + " has unsupported width " + r.size());
        };
    }
}

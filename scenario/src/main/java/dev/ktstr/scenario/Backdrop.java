package dev.ktstr.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * State that lives for the whole step sequence (spec §2.4): created before step 0 (cgroups, then
 * ops, then payloads), collected and checked after the last step. Steps may not shadow or remove
 * backdrop cgroups.
 */
public record Backdrop(List<CgroupDef> cgroups, List<Payload> payloads, List<Op> ops) {

    public static final Backdrop EMPTY = new Backdrop(List.of(), List.of(), List.of());

    public Backdrop {
        cgroups = cgroups == null ? List.of() : List.copyOf(cgroups);
        payloads = payloads == null ? List.of() : List.copyOf(payloads);
        ops = ops == null ? List.of() : List.copyOf(ops);
    }

    public static Backdrop of(List<CgroupDef> cgroups) { return new Backdrop(cgroups, List.of(), List.of()); }

    public Backdrop withCgroup(CgroupDef def) {
        List<CgroupDef> l = new ArrayList<>(cgroups);
        l.add(def);
        return new Backdrop(l, payloads, ops);
    }

    public Backdrop withPayload(Payload p) {
        List<Payload> l = new ArrayList<>(payloads);
        l.add(p);
        return new Backdrop(cgroups, l, ops);
    }

    /** Appends (does not replace) ops. */
    public Backdrop withOps(List<Op> more) {
        List<Op> l = new ArrayList<>(ops);
        l.addAll(more);
        return new Backdrop(cgroups, payloads, l);
    }

    public boolean isEmpty() {
        return cgroups.isEmpty() && payloads.isEmpty() && ops.isEmpty();
    }
}

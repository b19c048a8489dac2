package dev.ktstr.coordinator.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Flag-profile expansion (ktstr-spec §6.4): every subset of the optional flags (declared minus
 * required minus excluded) added to the required ones, kept when each flag's {@code requires} are
 * all present, flags listed in declaration order.
 */
public final class FlagProfiles {

    /** Optional flags are enumerated as a bitmask in an int, so fewer than 32. */
    public static final int MAX_OPTIONAL_FLAGS = 31;

    private FlagProfiles() {}

    /**
     * @param context names the test/scheduler in error messages
     * @throws FlagProfileException on unknown flags, flags both required and excluded, flag
     *         constraints on a scheduler without flags, duplicates, or 32+ optional flags
     */
    public static List<FlagProfile> generate(List<PlanFlag> declared, List<String> required, List<String> excluded,
                                             String context) {
        validate(declared, required, excluded, context);
        Set<String> fixed = new HashSet<>(required);
        fixed.addAll(excluded);
        List<String> optional = new ArrayList<>();
        for (PlanFlag f : declared) {
            if (!fixed.contains(f.name())) optional.add(f.name());
        }
        if (optional.size() > MAX_OPTIONAL_FLAGS) {
            throw new FlagProfileException(context + ": " + optional.size() + " optional scheduler flags give 2^"
                    + optional.size() + " profiles; at most " + MAX_OPTIONAL_FLAGS
                    + " are supported. Put some flags in required_flags or excluded_flags");
        }
        Map<String, PlanFlag> byName = new HashMap<>();
        for (PlanFlag f : declared) byName.put(f.name(), f);
        List<FlagProfile> out = new ArrayList<>();
        Set<String> requiredSet = new HashSet<>(required);
        for (long mask = 0; mask < (1L << optional.size()); mask++) {
            Set<String> active = new HashSet<>(requiredSet);
            for (int i = 0; i < optional.size(); i++) {
                if ((mask & (1L << i)) != 0) active.add(optional.get(i));
            }
            if (!requiresSatisfied(active, byName)) continue;
            List<String> ordered = new ArrayList<>();
            for (PlanFlag f : declared) {
                if (active.contains(f.name())) ordered.add(f.name());
            }
            out.add(new FlagProfile(ordered));
        }
        return out;
    }

    public static List<FlagProfile> generate(List<PlanFlag> declared, List<String> required, List<String> excluded) {
        return generate(declared, required, excluded, "flag profiles");
    }

    /** The single profile a base (non-gauntlet) test runs with: exactly the required flags, in declaration order. */
    public static FlagProfile baseProfile(List<PlanFlag> declared, List<String> required, List<String> excluded,
                                          String context) {
        validate(declared, required, excluded, context);
        Set<String> req = new HashSet<>(required);
        List<String> ordered = new ArrayList<>();
        for (PlanFlag f : declared) {
            if (req.contains(f.name())) ordered.add(f.name());
        }
        return new FlagProfile(ordered);
    }

    private static boolean requiresSatisfied(Set<String> active, Map<String, PlanFlag> byName) {
        for (String a : active) {
            for (String r : byName.get(a).requires()) {
                if (!active.contains(r)) return false;
            }
        }
        return true;
    }

    static void validate(List<PlanFlag> declared, List<String> required, List<String> excluded, String context) {
        Set<String> names = new LinkedHashSet<>();
        for (PlanFlag f : declared) {
            if (!names.add(f.name())) {
                throw new FlagProfileException(context + ": the scheduler declares flag '" + f.name() + "' twice");
            }
        }
        for (PlanFlag f : declared) {
            for (String r : f.requires()) {
                if (!names.contains(r)) {
                    throw new FlagProfileException(context + ": flag '" + f.name() + "' requires '" + r
                            + "', which the scheduler does not declare (declared: " + names + ")");
                }
            }
        }
        if (declared.isEmpty() && (!required.isEmpty() || !excluded.isEmpty())) {
            throw new FlagProfileException(context + ": required_flags " + required + " / excluded_flags " + excluded
                    + " are set but the scheduler declares no flags. Remove them or use a scheduler with flags");
        }
        checkKnown(required, names, "required_flags", context);
        checkKnown(excluded, names, "excluded_flags", context);
        for (String r : required) {
            if (excluded.contains(r)) {
                throw new FlagProfileException(context + ": flag '" + r
                        + "' is both required and excluded. Keep it in only one of required_flags / excluded_flags");
            }
        }
    }

    private static void checkKnown(List<String> flags, Set<String> declared, String what, String context) {
        Set<String> seen = new HashSet<>();
        for (String f : flags) {
            if (!declared.contains(f)) {
                throw new FlagProfileException(context + ": " + what + " names '" + f
                        + "', which the scheduler does not declare (declared: " + declared + ")");
            }
            if (!seen.add(f)) throw new FlagProfileException(context + ": " + what + " lists '" + f + "' twice");
        }
    }
}

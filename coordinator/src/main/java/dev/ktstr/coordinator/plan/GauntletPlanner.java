package dev.ktstr.coordinator.plan;

import dev.ktstr.protocol.kernel.KernelLabel;
import dev.ktstr.protocol.topology.Topology;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Expands tests into variants (ktstr-spec §6.5): base {@code ktstr/{test}}, and with
 * {@code gauntlet} on, {@code gauntlet/{test}/{preset}/{profile}} for every preset the test's
 * constraints and the host allow x every valid flag profile; with two or more kernels every
 * non-host-only variant is repeated per kernel with a {@code /{kernel_label}} suffix. Host-only
 * tests appear once, without gauntlet variants or kernel suffix.
 *
 * <p>Order: tests in input order; per test its base variant(s), then presets in table order,
 * profiles in bitmask order, kernels in the given order. Budget selection keeps this order.
 */
public final class GauntletPlanner {

    /**
     * @param gauntlet     expand gauntlet variants (otherwise base tests only)
     * @param kernelLabels {@code kernel_...} labels in run order; empty = the default kernel (no label);
     *                     one = labelled but no name suffix; two or more = one variant per kernel, suffixed
     * @param filter       {@code -E} name filter applied to the final names
     */
    public record Options(boolean gauntlet, List<String> kernelLabels, NameFilter filter) {
        public Options {
            kernelLabels = kernelLabels == null ? List.of() : List.copyOf(kernelLabels);
            filter = filter == null ? NameFilter.all() : filter;
        }

        public static Options baseOnly() {
            return new Options(false, List.of(), NameFilter.all());
        }

        public Options withGauntlet(boolean g) {
            return new Options(g, kernelLabels, filter);
        }

        public Options withKernels(List<String> labels) {
            return new Options(gauntlet, labels, filter);
        }

        public Options withFilter(NameFilter f) {
            return new Options(gauntlet, kernelLabels, f);
        }
    }

    private final List<TopologyPreset> presets;
    private final PresetFilter presetFilter;
    private final CostModel costModel;

    public GauntletPlanner(List<TopologyPreset> presets, PresetFilter presetFilter, CostModel costModel) {
        this.presets = List.copyOf(presets);
        this.presetFilter = Objects.requireNonNull(presetFilter, "presetFilter");
        this.costModel = Objects.requireNonNull(costModel, "costModel");
    }

    /** x86_64 presets, exact host fit, spec cost model. */
    public static GauntletPlanner forHost(HostCapacity host) {
        return new GauntletPlanner(TopologyPreset.X86_64, new PresetFilter(host, Overcommit.NONE), CostModel.Spec.INSTANCE);
    }

    /**
     * @throws PlanException listing every bad test definition (unknown/conflicting flags, duplicate
     *         names, too many optional flags) and bad kernel labels; nothing is planned then
     */
    public GauntletPlan plan(List<PlanTest> tests, Options options) {
        List<String> problems = new ArrayList<>();
        List<GauntletPlan.Note> notes = new ArrayList<>();
        List<String> kernels = checkKernels(options.kernelLabels(), problems);
        boolean multiKernel = kernels.size() > 1;
        List<String> kernelSlots = kernels.isEmpty() ? Collections.singletonList(null) : kernels;

        Set<String> testNames = new HashSet<>();
        List<Variant> all = new ArrayList<>();
        for (PlanTest t : tests) {
            if (!testNames.add(t.name())) {
                problems.add("two tests are named '" + t.name() + "' (ids " + t.id() + " and an earlier one); variant names must be unique");
                continue;
            }
            String ctx = "test " + t.name() + " (scheduler " + t.schedulerName() + ")";
            FlagProfile base;
            List<FlagProfile> profiles = List.of();
            try {
                base = FlagProfiles.baseProfile(t.declaredFlags(), t.requiredFlags(), t.excludedFlags(), ctx);
                if (options.gauntlet() && !t.hostOnly()) {
                    profiles = FlagProfiles.generate(t.declaredFlags(), t.requiredFlags(), t.excludedFlags(), ctx);
                }
            } catch (FlagProfileException e) {
                problems.add(e.getMessage());
                continue;
            }

            if (t.hostOnly()) {
                all.add(variant("ktstr/" + t.name(), t, t.topology(), null, base, null, false, false));
                continue;
            }
            boolean baseOver = presetFilter.exceedsHost(t.topology());
            for (String k : kernelSlots) {
                all.add(variant("ktstr/" + t.name() + suffix(k, multiKernel), t, t.topology(), null, base, k, false, baseOver));
            }
            if (!options.gauntlet()) continue;

            if (profiles.isEmpty()) {
                notes.add(new GauntletPlan.Note(t.name(), "no gauntlet variants: no flag profile satisfies every flag's requires"
                        + " with required_flags " + t.requiredFlags() + " and excluded_flags " + t.excludedFlags()));
                continue;
            }
            PresetFilter.Result fit = presetFilter.filter(presets, t.constraints(), t.memoryMb());
            if (fit.kept().isEmpty()) {
                notes.add(new GauntletPlan.Note(t.name(), "no gauntlet variants: "
                        + fit.emptyReason(presetFilter.host(), presetFilter.overcommit())));
                continue;
            }
            Set<String> over = new HashSet<>();
            fit.overcommitted().forEach(p -> over.add(p.name()));
            for (TopologyPreset p : fit.kept()) {
                for (FlagProfile prof : profiles) {
                    for (String k : kernelSlots) {
                        String name = "gauntlet/" + t.name() + "/" + p.name() + "/" + prof.name() + suffix(k, multiKernel);
                        all.add(variant(name, t, p.topology(), p.name(), prof, k, true, over.contains(p.name())));
                    }
                }
            }
        }
        if (!problems.isEmpty()) throw new PlanException(problems);

        List<Variant> kept = all;
        if (!options.filter().isAll()) {
            kept = all.stream().filter(v -> options.filter().matches(v.name())).toList();
            if (kept.isEmpty() && !all.isEmpty()) {
                notes.add(new GauntletPlan.Note(null, "name filter " + options.filter() + " matched none of "
                        + all.size() + " variants (substring match; prefix re: for a regular expression)"));
            }
        }
        return new GauntletPlan(kept, notes, presetFilter.host(), presetFilter.overcommit(), costModel.describe(), all.size());
    }

    private Variant variant(String name, PlanTest t, Topology topo, String preset, FlagProfile profile, String kernel,
                            boolean gauntlet, boolean overcommitted) {
        int mem = t.hostOnly() ? 0 : TopologyPreset.vmMemoryMb(topo, t.memoryMb());
        boolean ignored = gauntlet || t.name().startsWith("demo_");
        return new Variant(name, t.id(), t, topo, preset, profile.flags(), kernel, costModel.estimateSecs(t, topo),
                gauntlet, mem, overcommitted, ignored);
    }

    private static String suffix(String kernel, boolean multiKernel) {
        return multiKernel && kernel != null ? "/" + kernel : "";
    }

    private static List<String> checkKernels(List<String> labels, List<String> problems) {
        Set<String> seen = new HashSet<>();
        for (String l : labels) {
            try {
                KernelLabel.requireValid(l);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
                continue;
            }
            if (!seen.add(l)) {
                problems.add("kernel label '" + l + "' given twice: two --kernel values resolve to the same label; drop one");
            }
        }
        return labels;
    }
}

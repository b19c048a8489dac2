package dev.ktstr.coordinator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlagProfilesTest {

    static final List<PlanFlag> CATALOG = List.of(PlanFlag.of("llc"), PlanFlag.of("borrow"), PlanFlag.of("steal", "llc"),
            PlanFlag.of("rebal"), PlanFlag.of("reject-pin"), PlanFlag.of("no-ctrl"));

    static List<String> names(List<FlagProfile> ps) {
        return ps.stream().map(FlagProfile::name).toList();
    }

    @Test
    void sixFlagsWithStealRequiringLlcGive48() {
        List<FlagProfile> ps = FlagProfiles.generate(CATALOG, List.of(), List.of());
        assertThat(ps).hasSize(48);
        assertThat(new HashSet<>(names(ps))).hasSize(48);
        assertThat(ps.get(0).name()).isEqualTo("default");
        assertThat(ps).noneMatch(p -> p.flags().contains("steal") && !p.flags().contains("llc"));
        assertThat(names(ps)).contains("llc+steal", "llc+borrow+steal+rebal+reject-pin+no-ctrl")
                .doesNotContain("steal", "steal+llc", "borrow+llc");
    }

    @Test
    void requiredAndExcludedNarrowTheSet() {
        List<PlanFlag> decl = List.of(PlanFlag.of("llc"), PlanFlag.of("steal", "llc"), PlanFlag.of("borrow"));
        assertThat(names(FlagProfiles.generate(decl, List.of("llc"), List.of("borrow")))).containsExactly("llc", "llc+steal");
    }

    @Test
    void declarationOrderNotRequirementOrder() {
        List<PlanFlag> decl = List.of(PlanFlag.of("b"), PlanFlag.of("a"));
        assertThat(names(FlagProfiles.generate(decl, List.of("a"), List.of()))).containsExactly("a", "b+a");
    }

    @Test
    void noOptionalFlagsGiveTheOneDefaultProfile() {
        assertThat(names(FlagProfiles.generate(List.of(), List.of(), List.of()))).containsExactly("default");
        assertThat(names(FlagProfiles.generate(List.of(PlanFlag.of("x")), List.of("x"), List.of()))).containsExactly("x");
        assertThat(names(FlagProfiles.generate(List.of(PlanFlag.of("x")), List.of(), List.of("x")))).containsExactly("default");
    }

    @Test
    void unsatisfiableRequiresGiveNoProfile() {
        List<PlanFlag> decl = List.of(PlanFlag.of("llc"), PlanFlag.of("steal", "llc"));
        assertThat(FlagProfiles.generate(decl, List.of("steal"), List.of("llc"))).isEmpty();
    }

    @Test
    void thirtyTwoOptionalFlagsAreRejected() {
        List<PlanFlag> decl = new ArrayList<>();
        for (int i = 0; i < 32; i++) decl.add(PlanFlag.of("f" + i));
        assertThatThrownBy(() -> FlagProfiles.generate(decl, List.of(), List.of(), "test t"))
                .isInstanceOf(FlagProfileException.class)
                .hasMessageContaining("test t: 32 optional scheduler flags").hasMessageContaining("required_flags or excluded_flags");
        // one of them fixed: 31 optional is the limit, validated without enumerating 2^31 profiles here
        assertThat(FlagProfiles.generate(decl.subList(0, 10), List.of(), List.of())).hasSize(1024);
    }

    @Test
    void badFlagConstraintsAreNamed() {
        assertThatThrownBy(() -> FlagProfiles.generate(CATALOG, List.of("lcc"), List.of(), "test t"))
                .hasMessageContaining("required_flags names 'lcc', which the scheduler does not declare");
        assertThatThrownBy(() -> FlagProfiles.generate(CATALOG, List.of(), List.of("nope")))
                .hasMessageContaining("excluded_flags names 'nope'");
        assertThatThrownBy(() -> FlagProfiles.generate(List.of(), List.of("llc"), List.of()))
                .hasMessageContaining("the scheduler declares no flags");
        assertThatThrownBy(() -> FlagProfiles.generate(List.of(), List.of(), List.of("llc")))
                .hasMessageContaining("the scheduler declares no flags");
        assertThatThrownBy(() -> FlagProfiles.generate(CATALOG, List.of("llc"), List.of("llc")))
                .hasMessageContaining("'llc' is both required and excluded");
        assertThatThrownBy(() -> FlagProfiles.generate(List.of(PlanFlag.of("a", "zz")), List.of(), List.of()))
                .hasMessageContaining("requires 'zz'");
        assertThatThrownBy(() -> FlagProfiles.generate(List.of(PlanFlag.of("a"), PlanFlag.of("a")), List.of(), List.of()))
                .hasMessageContaining("declares flag 'a' twice");
    }

    @Test
    void baseProfileIsExactlyTheRequiredFlags() {
        assertThat(FlagProfiles.baseProfile(CATALOG, List.of("steal", "llc"), List.of("borrow"), "t").name()).isEqualTo("llc+steal");
        assertThat(FlagProfiles.baseProfile(List.of(), List.of(), List.of(), "t").name()).isEqualTo("default");
    }
}

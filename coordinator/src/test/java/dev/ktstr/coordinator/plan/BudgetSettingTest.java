package dev.ktstr.coordinator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BudgetSettingTest {
    final List<String> warnings = new ArrayList<>();

    @Test
    void theCommandLineWinsOverTheEnvironment() {
        assertThat(BudgetSetting.resolve("120", Map.of(BudgetSetting.ENV, "900"), warnings::add)).hasValue(120);
        assertThat(BudgetSetting.resolve(null, Map.of(BudgetSetting.ENV, "900"), warnings::add)).hasValue(900);
        assertThat(warnings).isEmpty();
    }

    @Test
    void noneRunsEverythingEvenWithABudgetInTheEnvironment() {
        assertThat(BudgetSetting.resolve("none", Map.of(BudgetSetting.ENV, "900"), warnings::add)).isEmpty();
        assertThat(BudgetSetting.resolve(" NONE ", Map.of(BudgetSetting.ENV, "900"), warnings::add)).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void aBadValueIsIgnoredWithAWarning() {
        assertThat(BudgetSetting.resolve("0", Map.of(), warnings::add)).isEmpty();
        assertThat(warnings).singleElement().asString().contains("positive number");
    }
}

package dev.ktstr.scenario.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AssertTest {

    @Test
    void failWithAMessageIsAFailingOtherDetail() {
        AssertResult r = AssertResult.fail("queue never drained");
        assertThat(r.passed()).isFalse();
        assertThat(r.skipped()).isFalse();
        assertThat(r.details()).extracting(AssertDetail::kind, AssertDetail::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(DetailKind.OTHER, "queue never drained"));
    }

    @Test
    void defaultChecksMatchSpec() {
        Assert d = Assert.defaultChecks();
        assertThat(d.notStarved()).isTrue();
        assertThat(d.isolation()).isNull();
        assertThat(d.maxImbalanceRatio()).isEqualTo(4.0);
        assertThat(d.maxLocalDsqDepth()).isEqualTo(50);
        assertThat(d.failOnStall()).isTrue();
        assertThat(d.sustainedSamples()).isEqualTo(5);
        assertThat(d.maxFallbackRate()).isEqualTo(200.0);
        assertThat(d.maxKeepLastRate()).isEqualTo(100.0);
        assertThat(d.maxGapMs()).isNull();
        assertThat(d.gapLimitMs()).isEqualTo(3000);
        assertThat(d.spreadLimitPct()).isEqualTo(35.0);
    }

    @Test
    void mergeIsLastSetWinsAndNoOverridesIsIdentity() {
        Assert sched = Assert.NO_OVERRIDES.withMaxGapMs(1000L).withIsolation(true);
        Assert test = Assert.NO_OVERRIDES.withNotStarved(false).withMaxGapMs(500L);
        Assert eff = Assert.defaultChecks().merge(sched).merge(test);
        assertThat(eff.notStarved()).isFalse();
        assertThat(eff.isolation()).isTrue();
        assertThat(eff.maxGapMs()).isEqualTo(500L);
        assertThat(eff.maxImbalanceRatio()).isEqualTo(4.0);
        assertThat(Assert.defaultChecks().merge(Assert.NO_OVERRIDES)).isEqualTo(Assert.defaultChecks());
        assertThat(Assert.NO_OVERRIDES.merge(sched)).isEqualTo(sched);
        assertThat(Assert.NO_OVERRIDES.hasWorkerChecks()).isFalse();
        assertThat(Assert.NO_OVERRIDES.withMaxImbalanceRatio(2.0).hasWorkerChecks()).isFalse();
        assertThat(Assert.NO_OVERRIDES.withMinPageLocality(0.5).hasWorkerChecks()).isTrue();
    }
}

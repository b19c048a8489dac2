package dev.ktstr.coordinator.testrun;

import dev.ktstr.coordinator.plan.Variant;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.scenario.discovery.KtstrTestEntry;

/** One planned variant and its single result. */
public record VariantOutcome(Variant variant, KtstrTestEntry entry, JobResult result) {}

/**
 * The user-facing test API. A test is a method {@code AssertResult name(Ctx ctx)} annotated with
 * {@link dev.ktstr.scenario.KtstrTest}; it runs inside a VM with the requested topology and
 * scheduler and usually delegates to {@link dev.ktstr.scenario.Scenarios}:
 *
 * <pre>{@code
 * @KtstrTest(llcs = 2, cores = 2, scheduler = QmapSched.class, notStarved = Inherit.TRUE)
 * AssertResult cpusetSplit(Ctx ctx) {
 *     return Scenarios.executeDefs(ctx, List.of(
 *         CgroupDef.named("cg_0").cpuset(CpusetSpec.disjoint(0, 2)).workers(4),
 *         CgroupDef.named("cg_1").cpuset(CpusetSpec.disjoint(1, 2)).workType(WorkType.bursty(50, 100))));
 * }
 * }</pre>
 *
 * Packages: {@code work} (what workers do), {@code sched} (scheduler definitions and flags),
 * {@code verify} (thresholds, checks, results, failure text), {@code report} (what workers measure),
 * {@code runtime} (the backend interface the guest agent implements), {@code discovery} (finding and
 * resolving tests), {@code processor} (compile-time checks).
 */
package dev.ktstr.scenario;

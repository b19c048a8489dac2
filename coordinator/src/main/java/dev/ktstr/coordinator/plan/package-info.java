/**
 * Run planning: gauntlet expansion, preset filtering, flag profiles, naming and budget selection
 * (ktstr-spec §6, §7, §9.6). Pure functions over {@link dev.ktstr.coordinator.plan.PlanTest}s;
 * no actors, no I/O except {@link dev.ktstr.coordinator.plan.HostCapacity#detect()}.
 *
 * <p>Typical use: {@code PlanTests.from(entries)} → {@code GauntletPlanner.plan(tests, options)} →
 * optionally {@code BudgetSelector.selectAndReport(plan.variants(), budget, System.err)} → jobs.
 *
 * <p>Where this differs from the original, on purpose:
 * <ul>
 *   <li>{@link dev.ktstr.coordinator.plan.Overcommit}: the original only keeps presets the host can
 *       hold exactly. Under TCG a vCPU is just a host thread, so a small host (2 CPUs, 1 LLC here)
 *       may run larger guests when asked ({@code --overcommit N}); the plan records the setting and
 *       marks every variant that exceeds the host, so results never pass for exact-fit runs.</li>
 *   <li>{@link dev.ktstr.coordinator.plan.CostModel.Tcg}: the spec's estimate assumes KVM
 *       (10 s boot budget up to 16 CPUs). Under TCG boot is ~4 s at 1-2 vCPUs plus ~0.2 s per vCPU
 *       (measured on this machine, vm-boot-probe.md), so budget selection uses that model when the
 *       accelerator is TCG. The KVM model is the spec's, unchanged.</li>
 *   <li>Host memory is checked too ({@code max(cpus x 64, 256, memory_mb)} must fit), which the
 *       original leaves to the VM launch.</li>
 *   <li>{@link dev.ktstr.coordinator.plan.NameFilter}: {@code -E} is a substring match, or a regular
 *       expression with a {@code re:} prefix (variant names contain {@code +} and {@code .}).</li>
 *   <li>One kernel given: variants carry its label but names get no suffix (the spec suffixes only
 *       multi-kernel runs).</li>
 * </ul>
 */
package dev.ktstr.coordinator.plan;

package dev.ktstr.results.shards;

import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.verify.AssertResult;

/**
 * A small suite for {@code ShardedRunMergeTest}: planned by the real gauntlet planner, run on the
 * fake backend (the methods never execute). Eight tests on a few topologies, so a gauntlet
 * expansion gives shards with several variants each.
 */
public class ShardSuite {
    @KtstrTest(llcs = 1, cores = 1, threads = 1, memoryMb = 256)
    public AssertResult tiny(Ctx ctx) { return AssertResult.pass(); }

    @KtstrTest(llcs = 1, cores = 2, threads = 1)
    public AssertResult pair(Ctx ctx) { return AssertResult.pass(); }

    @KtstrTest(llcs = 2, cores = 1, threads = 1)
    public AssertResult two_llcs(Ctx ctx) { return AssertResult.pass(); }

    @KtstrTest(llcs = 1, cores = 2, threads = 2)
    public AssertResult smt(Ctx ctx) { return AssertResult.pass(); }

    @KtstrTest(llcs = 2, cores = 2, threads = 1)
    public AssertResult split(Ctx ctx) { return AssertResult.pass(); }

    @KtstrTest(llcs = 1, cores = 4, threads = 1)
    public AssertResult quad(Ctx ctx) { return AssertResult.pass(); }

    @KtstrTest(llcs = 1, cores = 2, threads = 1, durationS = 5)
    public AssertResult longer(Ctx ctx) { return AssertResult.pass(); }

    @KtstrTest(llcs = 1, cores = 1, threads = 1)
    public AssertResult single(Ctx ctx) { return AssertResult.pass(); }
}

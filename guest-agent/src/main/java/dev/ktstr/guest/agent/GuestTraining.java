package dev.ktstr.guest.agent;

import dev.ktstr.guest.worker.WorkerHostMain;
import dev.ktstr.protocol.guest.GuestJob;
import dev.ktstr.scenario.CgroupDef;
import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.Scenarios;
import dev.ktstr.scenario.TestConfig;
import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.verify.AssertResult;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The training run of the guest's AOT cache (JDK 24+, JEP 483/514), run on the host by the
 * initramfs pipeline with the guest runtime and the guest's relative classpath: it takes the real
 * agent path in host mode (job, test method by reflection, Ctx, scenario, a spawned worker host,
 * report collection, frames) and warms the worker host's classes in-process, so one cache serves
 * the agent and every worker host.
 */
public final class GuestTraining {
    private GuestTraining() {}

    public static void main(String[] args) throws Exception {
        WorkerHostMain.warm();
        Path dir = Files.createTempDirectory("ktstr-training-");
        FrameWriter sink = new FrameWriter(OutputStream.nullOutputStream(), msg -> { });
        Agent agent = new Agent(sink, new Agent.Options(false, dir.resolve("run"), dir.resolve("sched.log"), dir.resolve("sched_ext")), 0);
        agent.hello();
        agent.prestartWorkerHosts(2);
        GuestJob plain = GuestJob.of(GuestTraining.class.getName(), "body", "1n1l1c1t", 1, 1);
        // with a resolved config and assertion, as every real job carries: their deserializers are the
        // agent's costliest cold code, and only what the training run executes lands in the cache
        TestConfig config = TestConfig.DEFAULT.withJob(Topology.parse(plain.topology()), TestConfig.DEFAULT.assertion(), 1, 1);
        var mapper = AgentJson.mapper();
        GuestJob job = new GuestJob(plain.schemaVersion(), plain.variantId(), plain.testClass(), plain.testMethod(), plain.topology(),
                plain.flags(), plain.durationS(), plain.workersPerCgroup(), null, mapper.valueToTree(config.assertion()),
                mapper.valueToTree(config), null, plain.deadlines(), plain.env(), plain.workConservationWatchdog());
        // the job as the guest reads it: from its JSON
        int code = agent.run(AgentJson.mapper().readValue(AgentJson.bytes(job), GuestJob.class));
        sink.close(Duration.ofSeconds(5));
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        // The scenario's verdict on a host is beside the point: the classes it loaded are what counts.
        System.out.println("ktstr guest training: agent exit code " + code);
        System.exit(0);
    }

    /** The training scenario: one cgroup-less worker for the configured second. */
    static AssertResult body(Ctx ctx) {
        return Scenarios.executeDefs(ctx, List.of(CgroupDef.named("train").workers(1)));
    }
}

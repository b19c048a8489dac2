package dev.ktstr.coordinator.run;

import dev.ktstr.coordinator.ArtifactStore;
import dev.ktstr.coordinator.RunListener;
import dev.ktstr.coordinator.RunOptions;
import dev.ktstr.coordinator.RunProgress;
import dev.ktstr.coordinator.RunSummary;
import dev.ktstr.coordinator.fake.FakePlan;
import dev.ktstr.coordinator.journal.JournalRecord;
import dev.ktstr.coordinator.journal.JournalState;
import dev.ktstr.coordinator.journal.RunJournal;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.job.WorkerCapacity;
import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.cluster.AuthToken;
import dev.ktstr.cluster.ClusterProtocol.AssignJobs;
import dev.ktstr.cluster.ClusterProtocol.CoordinatorMsg;
import dev.ktstr.cluster.ClusterProtocol.JobFinished;
import dev.ktstr.cluster.ClusterProtocol.JobPhase;
import dev.ktstr.cluster.ClusterProtocol.NoWork;
import dev.ktstr.cluster.ClusterProtocol.Rejected;
import dev.ktstr.cluster.ClusterProtocol.RequestWork;
import dev.ktstr.cluster.ClusterProtocol.ResultAck;
import dev.ktstr.cluster.ClusterProtocol.WorkAvailable;
import dev.ktstr.cluster.ClusterProtocol.WorkerMsg;
import dev.ktstr.cluster.ClusterSettings;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The coordinator actor against probe workers: placement, loss, idempotence, journal, resume. */
class CoordinatorTest {

    static ActorTestKit kit;

    @TempDir
    Path runs;

    @BeforeAll
    static void startKit() {
        kit = ActorTestKit.create(ClusterSettings.SYSTEM_NAME,
                ClusterSettings.loopback(0, List.of(), List.of("coordinator")).toConfig());
        Cluster c = Cluster.get(kit.system());
        c.manager().tell(Join.create(c.selfMember().address()));
    }

    @AfterAll
    static void stopKit() {
        kit.shutdownTestKit();
    }

    static WorkerCapacity cap(String node, int cpus, int slots) {
        return new WorkerCapacity(node, cpus, 1, 1, 16_000, "kvm", Set.of(), false, slots);
    }

    record Started(ActorRef<CoordinatorMsg> coordinator, CompletableFuture<RunSummary> done, RunJournal journal) {
    }

    Started start(String runId, List<JobSpec> jobs, RunOptions opts, JournalState resumed) throws Exception {
        RunJournal journal = resumed == null
                ? RunJournal.create(runs, new JournalRecord.Plan(runId, "t", jobs.size(), 1.0, opts.maxAttempts(), 1), jobs)
                : RunJournal.openForAppend(RunJournal.pathFor(runs, runId));
        CompletableFuture<RunSummary> done = new CompletableFuture<>();
        ActorRef<CoordinatorMsg> c = kit.spawn(Coordinator.create(null));
        c.tell(new Coordinator.StartRun(new RunSetup(runId, jobs, resumed == null ? Map.of() : resumed.results(),
                resumed == null ? Map.of() : resumed.retries(), journal, opts, RunListener.NONE, new ArtifactStore(), done,
                new AtomicReference<>(RunProgress.empty(runId, jobs.size())))));
        return new Started(c, done, journal);
    }

    RunOptions opts(int maxAttempts) {
        return new RunOptions(runs, maxAttempts, 1.0, Duration.ofSeconds(60), false, Duration.ofSeconds(60));
    }

    /** As a worker sends it; node = the result's worker node (tests register workers under that id). */
    static JobFinished finished(JobResult r, ActorRef<WorkerMsg> worker) {
        return new JobFinished(r, worker, r.workerNode(), "");
    }

    static JobResult pass(JobSpec j, String node) {
        return new JobResult(j.jobId(), j.variantName(), JobStatus.PASS, "ok", "", node, "kvm", Map.of(), j.attempt(), null);
    }

    /** A worker ref that can be stopped (to simulate loss) and forwards to a probe. */
    static ActorRef<WorkerMsg> stoppableWorker(TestProbe<WorkerMsg> probe) {
        return kit.spawn(Behaviors.receiveMessage(m -> {
            probe.getRef().tell(m);
            return Behaviors.same();
        }));
    }

    @Test
    void placesOnlyWhatFitsTheWorkersCapacity() throws Exception {
        List<JobSpec> jobs = new ArrayList<>();
        for (JobSpec j : FakePlan.jobs("place", 6, 0, 1000)) {
            jobs.add(new JobSpec(j.jobId(), j.variantName(), j.testClass(), j.testMethod(), Topology.parse("1,1,2,1"), j.kernel(),
                    j.scheduler(), j.schedulerArgs(), j.activeFlags(), 1024, j.timeoutMs(), false, j.artifacts(), 0));
        }
        Started s = start("place", jobs, opts(3), null);
        TestProbe<WorkerMsg> small = kit.createTestProbe();
        TestProbe<WorkerMsg> big = kit.createTestProbe();
        s.coordinator().tell(new RequestWork(small.getRef(), cap("small", 1, 4), 4, ""));
        small.expectMessageClass(NoWork.class); // 2-vCPU VMs do not fit a 1-CPU kvm host
        s.coordinator().tell(new RequestWork(big.getRef(), cap("big", 4, 8), 8, ""));
        AssignJobs a = big.expectMessageClass(AssignJobs.class);
        assertThat(a.jobs()).hasSize(2); // 4 CPUs / 2 vCPUs
        s.coordinator().tell(new RequestWork(big.getRef(), cap("big", 4, 8), 6, ""));
        big.expectMessageClass(NoWork.class); // full until a result comes back
        s.coordinator().tell(finished(pass(a.jobs().get(0), "big"), big.getRef()));
        big.expectMessageClass(WorkAvailable.class); // it was told "no work" while full: a slot freed up
        big.expectMessage(new ResultAck(a.jobs().get(0).jobId(), "")); // after the journal fsync
        s.coordinator().tell(new RequestWork(big.getRef(), cap("big", 4, 8), 7, ""));
        assertThat(big.expectMessageClass(AssignJobs.class).jobs()).hasSize(1);
    }

    @Test
    void lostWorkersJobsAreRequeuedWithTheNextAttempt() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("lost", 3, 0, 1000);
        Started s = start("lost", jobs, opts(3), null);
        TestProbe<WorkerMsg> aProbe = kit.createTestProbe();
        ActorRef<WorkerMsg> a = stoppableWorker(aProbe);
        s.coordinator().tell(new RequestWork(a, cap("a", 8, 8), 8, ""));
        AssignJobs assigned = aProbe.expectMessageClass(AssignJobs.class);
        assertThat(assigned.jobs()).hasSize(3).allMatch(j -> j.attempt() == 0);
        TestProbe<WorkerMsg> b = kit.createTestProbe();
        s.coordinator().tell(new RequestWork(b.getRef(), cap("b", 8, 8), 8, ""));
        b.expectMessageClass(NoWork.class);
        kit.stop(a);
        b.expectMessageClass(WorkAvailable.class, Duration.ofSeconds(5));
        s.coordinator().tell(new RequestWork(b.getRef(), cap("b", 8, 8), 8, ""));
        AssignJobs again = b.expectMessageClass(AssignJobs.class);
        assertThat(again.jobs()).extracting(JobSpec::jobId).containsExactlyInAnyOrderElementsOf(
                jobs.stream().map(JobSpec::jobId).toList());
        assertThat(again.jobs()).allMatch(j -> j.attempt() == 1);
        again.jobs().forEach(j -> s.coordinator().tell(finished(pass(j, "b"), b.getRef())));
        RunSummary sum = s.done().get(10, TimeUnit.SECONDS);
        assertThat(sum.results()).hasSize(3).allMatch(r -> r.status() == JobStatus.PASS && r.attempt() == 1);
        JournalState st = RunJournal.replay(s.journal().file());
        assertThat(st.retries()).hasSize(3);
        assertThat(st.ended()).isTrue();
    }

    @Test
    void aJobLostMoreThanMaxAttemptsIsAnInfrastructureFailure() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("infra", 1, 0, 1000);
        Started s = start("infra", jobs, opts(2), null);
        for (int i = 0; i < 2; i++) {
            TestProbe<WorkerMsg> p = kit.createTestProbe();
            ActorRef<WorkerMsg> w = stoppableWorker(p);
            s.coordinator().tell(new RequestWork(w, cap("w" + i, 8, 8), 8, ""));
            WorkerMsg m = p.receiveMessage(Duration.ofSeconds(5));
            if (m instanceof NoWork) {
                // the previous worker's death may not be processed yet: the job comes back with WorkAvailable
                p.expectMessageClass(WorkAvailable.class, Duration.ofSeconds(5));
                s.coordinator().tell(new RequestWork(w, cap("w" + i, 8, 8), 8, ""));
                m = p.receiveMessage(Duration.ofSeconds(5));
            }
            assertThat(m).isInstanceOf(AssignJobs.class);
            assertThat(((AssignJobs) m).jobs().get(0).attempt()).isEqualTo(i);
            kit.stop(w);
        }
        RunSummary sum = s.done().get(10, TimeUnit.SECONDS);
        assertThat(sum.results()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(JobStatus.INFRA_ERROR);
            assertThat(r.message()).contains("gave up after 2 attempt(s)");
        });
        assertThat(sum.allPassed()).isFalse();
    }

    /** A worker's report of a VM that ran to its end, with a guest that passed, or a boot that oopsed. */
    static JobResult completed(JobSpec j, String node, boolean infraBoot) throws Exception {
        var end = infraBoot
                ? new dev.ktstr.protocol.outcome.VmEnd(dev.ktstr.protocol.outcome.VmEnd.Kind.KERNEL_PANIC, "kernel crash during boot: Oops", true)
                : new dev.ktstr.protocol.outcome.VmEnd(dev.ktstr.protocol.outcome.VmEnd.Kind.GUEST_POWEROFF, "guest powered off (exit code 0)", false);
        var result = infraBoot ? null : new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"passed\":true,\"details\":[]}");
        var out = new dev.ktstr.protocol.outcome.VmOutcome(new dev.ktstr.protocol.outcome.VmRun("kvm", "test", "microvm", end, 10, List.of()),
                null, result, null, null, null, List.of(), List.of(), null, List.of(), null, null, null, List.of(), null, null, null, null);
        return new JobResult(j.jobId(), j.variantName(), JobStatus.COMPLETED, "VM ended", "", node, "kvm", Map.of(), j.attempt(), out);
    }

    @Test
    void theCoordinatorJudgesCompletedVmsByTheJobsTermsAndRetriesAnInfrastructureEnd() throws Exception {
        List<JobSpec> jobs = new ArrayList<>();
        for (JobSpec j : FakePlan.jobs("judge", 2, 0, 1000)) {
            jobs.add(new JobSpec(j.jobId(), j.variantName(), j.testClass(), j.testMethod(), j.topology(), j.kernel(), j.scheduler(),
                    j.schedulerArgs(), j.activeFlags(), j.memoryMb(), j.timeoutMs(), false, j.artifacts(), 0,
                    new dev.ktstr.protocol.job.VerdictTerms(jobs.isEmpty(), null), null));
        }
        Started s = start("judge", jobs, opts(3), null);
        TestProbe<WorkerMsg> w = kit.createTestProbe();
        s.coordinator().tell(new RequestWork(w.getRef(), cap("w", 8, 8), 8, ""));
        List<JobSpec> got = w.expectMessageClass(AssignJobs.class).jobs();
        JobSpec expectsErr = got.stream().filter(j -> j.verdict().expectErr()).findFirst().orElseThrow();
        JobSpec plain = got.stream().filter(j -> !j.verdict().expectErr()).findFirst().orElseThrow();
        s.coordinator().tell(finished(completed(plain, "w", true), w.getRef())); // an early-boot oops: re-queued
        s.coordinator().tell(finished(completed(expectsErr, "w", false), w.getRef()));
        s.coordinator().tell(new RequestWork(w.getRef(), cap("w", 8, 8), 8, ""));
        JobSpec retried = null;
        for (int i = 0; i < 10 && retried == null; i++) { // acks and "work available" may come first
            WorkerMsg m = w.receiveMessage(Duration.ofSeconds(5));
            if (m instanceof AssignJobs aj) retried = aj.jobs().get(0);
        }
        assertThat(retried).as("the infrastructure failure was re-queued").isNotNull();
        assertThat(retried.jobId()).isEqualTo(plain.jobId());
        assertThat(retried.attempt()).isEqualTo(1);
        s.coordinator().tell(finished(completed(retried, "w", false), w.getRef()));
        RunSummary sum = s.done().get(10, TimeUnit.SECONDS);
        Map<String, JobResult> byId = new java.util.HashMap<>();
        sum.results().forEach(r -> byId.put(r.jobId(), r));
        assertThat(byId.get(plain.jobId()).status()).isEqualTo(JobStatus.PASS);
        assertThat(byId.get(expectsErr.jobId()).status()).isEqualTo(JobStatus.FAIL);
        assertThat(byId.get(expectsErr.jobId()).message()).isEqualTo("expected test to fail but it passed");
        // what is journaled is the judged result, so a resumed run reads the same verdict
        JournalState st = RunJournal.replay(s.journal().file());
        assertThat(st.results().values()).noneMatch(r -> r.status() == JobStatus.COMPLETED);
    }

    @Test
    void resultsAreIdempotentByJobId() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("idem", 2, 0, 1000);
        Started s = start("idem", jobs, opts(3), null);
        TestProbe<WorkerMsg> w = kit.createTestProbe();
        s.coordinator().tell(new RequestWork(w.getRef(), cap("w", 8, 8), 8, ""));
        List<JobSpec> got = w.expectMessageClass(AssignJobs.class).jobs();
        JobSpec first = got.get(0);
        s.coordinator().tell(finished(pass(first, "w"), w.getRef()));
        JobResult conflicting = new JobResult(first.jobId(), first.variantName(), JobStatus.FAIL, "late copy", "", "w2",
                "kvm", Map.of(), 0, null);
        s.coordinator().tell(new JobFinished(conflicting, w.getRef(), "w", "")); // the holder's late second copy
        s.coordinator().tell(finished(pass(first, "w"), w.getRef()));
        for (int i = 0; i < 3; i++) w.expectMessage(new ResultAck(first.jobId(), "")); // every copy is acked, so workers stop re-sending
        s.coordinator().tell(finished(pass(got.get(1), "w"), w.getRef()));
        RunSummary sum = s.done().get(10, TimeUnit.SECONDS);
        assertThat(sum.results()).hasSize(2);
        assertThat(sum.results().get(0).status()).isEqualTo(JobStatus.PASS);
        JournalState st = RunJournal.replay(s.journal().file());
        assertThat(st.results()).hasSize(2);
        assertThat(st.duplicateResults()).isZero(); // duplicates never reach the journal
    }

    @Test
    void guestTextIsSanitisedAndTheVariantNameComesFromThePlan() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("sane", 1, 0, 1000);
        Started s = start("sane", jobs, opts(3), null);
        TestProbe<WorkerMsg> w = kit.createTestProbe();
        s.coordinator().tell(new RequestWork(w.getRef(), cap("w", 8, 8), 8, ""));
        JobSpec j = w.expectMessageClass(AssignJobs.class).jobs().get(0);
        s.coordinator().tell(finished(new JobResult(j.jobId(), "../../evil", JobStatus.FAIL, "boom\u001b[2J\u0007", "",
                "w", "kvm", Map.of(), 0, null), w.getRef()));
        RunSummary sum = s.done().get(10, TimeUnit.SECONDS);
        assertThat(sum.results().get(0).variantName()).isEqualTo(j.variantName());
        assertThat(sum.results().get(0).message()).isEqualTo("boom?[2J?");
    }

    @Test
    void resumeFromTheJournalRunsOnlyUnfinishedJobs() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("resume", 5, 0, 1000);
        try (RunJournal j = RunJournal.create(runs, new JournalRecord.Plan("resume", "t", 5, 1.0, 3, 1), jobs)) {
            j.append(new JournalRecord.Result(pass(jobs.get(0), "old")));
            j.append(new JournalRecord.Result(pass(jobs.get(3), "old")));
            j.append(new JournalRecord.Retry(jobs.get(4).jobId(), 0, "lost"));
        }
        JournalState st = RunJournal.replay(RunJournal.pathFor(runs, "resume"));
        Started s = start("resume", st.jobs(), opts(3), st);
        TestProbe<WorkerMsg> w = kit.createTestProbe();
        s.coordinator().tell(new RequestWork(w.getRef(), cap("w", 8, 8), 8, ""));
        List<JobSpec> got = w.expectMessageClass(AssignJobs.class).jobs();
        assertThat(got).extracting(JobSpec::jobId).containsExactlyInAnyOrder(jobs.get(1).jobId(), jobs.get(2).jobId(),
                jobs.get(4).jobId());
        assertThat(got.stream().filter(j -> j.jobId().equals(jobs.get(4).jobId())).findFirst().orElseThrow().attempt()).isEqualTo(1);
        got.forEach(j -> s.coordinator().tell(finished(pass(j, "w"), w.getRef())));
        RunSummary sum = s.done().get(10, TimeUnit.SECONDS);
        assertThat(sum.resumedResults()).isEqualTo(2);
        assertThat(sum.results()).extracting(JobResult::jobId).containsExactlyElementsOf(jobs.stream().map(JobSpec::jobId).toList());
        Set<String> ids = new HashSet<>();
        JournalState after = RunJournal.replay(RunJournal.pathFor(runs, "resume"));
        after.results().keySet().forEach(ids::add);
        assertThat(ids).hasSize(5);
        assertThat(after.duplicateResults()).isZero();
    }

    @Test
    void aJobNoWorkerCanHoldIsReportedWhileOtherJobsStillRun() throws Exception {
        List<JobSpec> jobs = new ArrayList<>(FakePlan.jobs("huge", 1, 0, 60_000));
        JobSpec f = jobs.get(0);
        jobs.add(new JobSpec(JobSpec.jobIdFor("huge", "fake/8cpu"), "fake/8cpu", "C", "m", Topology.parse("1,1,8,1"), f.kernel(),
                "eevdf", List.of(), List.of(), 512, 60_000, false, List.of(), 0));
        Started s = start("huge", jobs, new RunOptions(runs, 3, 1.0, Duration.ofSeconds(60), false, Duration.ofMillis(300)), null);
        TestProbe<WorkerMsg> w = kit.createTestProbe();
        WorkerCapacity tcg = new WorkerCapacity("w", 2, 1, 1, 16_000, "tcg", Set.of(), false, 1);
        s.coordinator().tell(new RequestWork(w.getRef(), tcg, 1, ""));
        JobSpec running = w.expectMessageClass(AssignJobs.class).jobs().get(0);
        assertThat(running.variantName()).isEqualTo(f.variantName());
        // the worker stays busy; the 8-vCPU job must still be reported once the grace has passed
        long t0 = System.nanoTime();
        while (!RunJournal.replay(s.journal().file()).results().containsKey(jobs.get(1).jobId())) {
            assertThat(System.nanoTime() - t0).as("SKIP result for the 8-vCPU job").isLessThan(10_000_000_000L);
            Thread.sleep(50);
        }
        JobResult skip = RunJournal.replay(s.journal().file()).results().get(jobs.get(1).jobId());
        assertThat(skip.status()).isEqualTo(JobStatus.SKIP);
        assertThat(skip.message()).contains("no worker can host this VM: it needs 8 vCPUs").contains("--tcg-overcommit 4");
        s.coordinator().tell(finished(pass(running, "w"), w.getRef()));
        RunSummary sum = s.done().get(10, TimeUnit.SECONDS);
        assertThat(sum.counts().get(JobStatus.SKIP)).isEqualTo(1);
        assertThat(sum.counts().get(JobStatus.PASS)).isEqualTo(1);
    }

    @Test
    void aWorkerWithoutTheSharedSecretIsRejected() throws Exception {
        ActorRef<CoordinatorMsg> c = kit.spawn(Coordinator.create("0123456789abcdef0123"));
        TestProbe<WorkerMsg> w = kit.createTestProbe();
        c.tell(new RequestWork(w.getRef(), cap("w", 8, 8), 8, "forged"));
        assertThat(w.expectMessageClass(Rejected.class).reason()).contains("--secret-file");
        c.tell(new RequestWork(w.getRef(), cap("w", 8, 8), 8, AuthToken.request("0123456789abcdef0123", "w")));
        w.expectMessageClass(NoWork.class);
    }

    @Test
    void onlyTheHolderOfTheCurrentAttemptWithAValidTokenDecidesAJob() throws Exception {
        String secret = "0123456789abcdef0123";
        List<JobSpec> jobs = FakePlan.jobs("holder", 1, 0, 1000);
        RunOptions o = opts(3);
        RunJournal journal = RunJournal.create(runs, new JournalRecord.Plan("holder", "t", 1, 1.0, 3, 1), jobs);
        CompletableFuture<RunSummary> done = new CompletableFuture<>();
        ActorRef<CoordinatorMsg> c = kit.spawn(Coordinator.create(secret));
        c.tell(new Coordinator.StartRun(new RunSetup("holder", jobs, Map.of(), Map.of(), journal, o, RunListener.NONE,
                new ArtifactStore(), done, new AtomicReference<>(RunProgress.empty("holder", 1)))));
        TestProbe<WorkerMsg> a = kit.createTestProbe();
        TestProbe<WorkerMsg> b = kit.createTestProbe();
        c.tell(new RequestWork(a.getRef(), cap("a", 8, 8), 8, AuthToken.request(secret, "a")));
        AssignJobs got = a.expectMessageClass(AssignJobs.class);
        assertThat(got.authToken()).isEqualTo(AuthToken.coordinator(secret, "a")); // the coordinator signs for its addressee
        JobSpec j = got.jobs().get(0);
        c.tell(new RequestWork(b.getRef(), cap("b", 8, 8), 8, AuthToken.request(secret, "b")));
        b.expectMessageClass(NoWork.class);
        JobResult fromB = new JobResult(j.jobId(), j.variantName(), JobStatus.FAIL, "not mine", "", "b", "kvm", Map.of(), 0, null);
        // b is a registered, authentic worker but does not hold the job: acknowledged (so it stops re-sending), dropped
        c.tell(new JobFinished(fromB, b.getRef(), "b", AuthToken.result(secret, "b", j.jobId(), 0, "FAIL")));
        assertThat(b.expectMessageClass(ResultAck.class).jobId()).isEqualTo(j.jobId());
        // a's identity with a token that is not a result token (e.g. its request token, replayed): ignored, no ack
        JobResult forged = new JobResult(j.jobId(), j.variantName(), JobStatus.FAIL, "forged", "", "a", "kvm", Map.of(), 0, null);
        c.tell(new JobFinished(forged, a.getRef(), "a", AuthToken.request(secret, "a")));
        c.tell(new JobPhase(j.jobId(), 0, "forged", "a", "x"));
        a.expectNoMessage(Duration.ofMillis(300));
        c.tell(new JobFinished(pass(j, "a"), a.getRef(), "a", AuthToken.result(secret, "a", j.jobId(), 0, "PASS")));
        assertThat(a.expectMessageClass(ResultAck.class).authToken()).isEqualTo(AuthToken.coordinator(secret, "a"));
        RunSummary sum = done.get(10, TimeUnit.SECONDS);
        assertThat(sum.results()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(JobStatus.PASS);
            assertThat(r.workerNode()).isEqualTo("a");
        });
        assertThat(RunJournal.replay(journal.file()).results()).hasSize(1);
    }

    @Test
    void aRunNoWorkerEverJoinsFailsAfterTheIdleLimit() throws Exception {
        Started s = start("idle-none", FakePlan.jobs("idle-none", 2, 0, 1000), opts(3).withIdleLimit(Duration.ofSeconds(1)), null);
        assertThatThrownBy(() -> s.done().get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no worker joined").hasMessageContaining("idle limit").hasMessageContaining("--resume idle-none");
    }

    @Test
    void aRunThatLostAllItsWorkersFailsAfterTheIdleLimit() throws Exception {
        Started s = start("idle-lost", FakePlan.jobs("idle-lost", 2, 0, 1000), opts(3).withIdleLimit(Duration.ofSeconds(1)), null);
        TestProbe<WorkerMsg> p = kit.createTestProbe();
        ActorRef<WorkerMsg> w = stoppableWorker(p);
        s.coordinator().tell(new RequestWork(w, cap("w", 8, 8), 8, ""));
        p.expectMessageClass(AssignJobs.class);
        Thread.sleep(1500); // longer than the limit while the worker is there: a busy worker is not idleness
        assertThat(s.done()).isNotDone();
        kit.stop(w);
        assertThatThrownBy(() -> s.done().get(10, TimeUnit.SECONDS)).hasMessageContaining("all workers were lost")
                .hasMessageContaining("2 job(s) left");
    }

    @Test
    void aRetryGoesToAnotherWorkerWhereOneExists() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("elsewhere", 1, 0, 1000);
        Started s = start("elsewhere", jobs, opts(3), null);
        TestProbe<WorkerMsg> a = kit.createTestProbe();
        TestProbe<WorkerMsg> b = kit.createTestProbe();
        s.coordinator().tell(new RequestWork(a.getRef(), cap("a", 8, 8), 8, ""));
        JobSpec j = a.expectMessageClass(AssignJobs.class).jobs().get(0);
        s.coordinator().tell(new RequestWork(b.getRef(), cap("b", 8, 8), 8, ""));
        b.expectMessageClass(NoWork.class);
        s.coordinator().tell(finished(JobResult.of(j, JobStatus.INFRA_ERROR, "qemu died", "a", "kvm"), a.getRef()));
        a.expectMessageClass(ResultAck.class);
        // a asks first (it failed fast), but b could host the retry: a gets nothing
        s.coordinator().tell(new RequestWork(a.getRef(), cap("a", 8, 8), 8, ""));
        a.fishForMessage(Duration.ofSeconds(3), m -> m instanceof NoWork
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
        b.expectMessageClass(WorkAvailable.class);
        s.coordinator().tell(new RequestWork(b.getRef(), cap("b", 8, 8), 8, ""));
        JobSpec retry = b.expectMessageClass(AssignJobs.class).jobs().get(0);
        assertThat(retry.jobId()).isEqualTo(j.jobId());
        assertThat(retry.attempt()).isEqualTo(1);
        s.coordinator().tell(finished(pass(retry, "b"), b.getRef()));
        assertThat(s.done().get(10, TimeUnit.SECONDS).results()).singleElement()
                .satisfies(r -> assertThat(r.workerNode()).isEqualTo("b"));
    }

    private static <T extends WorkerMsg> T fish(TestProbe<WorkerMsg> p, Class<T> type) {
        List<WorkerMsg> got = p.fishForMessage(Duration.ofSeconds(5), m -> type.isInstance(m)
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
        return type.cast(got.get(got.size() - 1));
    }

    /** Worker "a" takes one job at a time and fails each with an infrastructure error, until quarantined. */
    private static void failInfraRepeatedly(Started s, TestProbe<WorkerMsg> a, String error) {
        for (int i = 0; i < Coordinator.QUARANTINE_AFTER; i++) {
            s.coordinator().tell(new RequestWork(a.getRef(), cap("a", 8, 1), 1, ""));
            JobSpec j = fish(a, AssignJobs.class).jobs().get(0);
            s.coordinator().tell(finished(JobResult.of(j, JobStatus.INFRA_ERROR, error, "a", "kvm"), a.getRef()));
            fish(a, ResultAck.class);
        }
    }

    @Test
    void aWorkerWithRepeatedInfrastructureErrorsIsQuarantinedWhileAnotherCanRunTheJobs() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("quarantine", 4, 0, 1000);
        Started s = start("quarantine", jobs, opts(5), null);
        TestProbe<WorkerMsg> a = kit.createTestProbe();
        TestProbe<WorkerMsg> b = kit.createTestProbe();
        s.coordinator().tell(new RequestWork(b.getRef(), cap("b", 8, 8), 0, "")); // registered, busy for now
        b.expectMessageClass(NoWork.class);
        failInfraRepeatedly(s, a, "qemu: could not open /dev/kvm");
        // a job never tried is left, but a is out of this run while b can run it
        s.coordinator().tell(new RequestWork(a.getRef(), cap("a", 8, 1), 1, ""));
        fish(a, NoWork.class);
        s.coordinator().tell(new RequestWork(b.getRef(), cap("b", 8, 8), 8, ""));
        List<JobSpec> rest = fish(b, AssignJobs.class).jobs();
        assertThat(rest).hasSize(4);
        rest.forEach(j -> s.coordinator().tell(finished(pass(j, "b"), b.getRef())));
        RunSummary sum = s.done().get(10, TimeUnit.SECONDS);
        assertThat(sum.results()).hasSize(4).allSatisfy(r -> assertThat(r.workerNode()).isEqualTo("b"));
        assertThat(sum.quarantined()).singleElement().asString().startsWith("a (3 infrastructure errors in a row")
                .contains("could not open /dev/kvm");
        assertThat(sum.oneLine()).contains("quarantined: a (3");
    }

    @Test
    void aQuarantinedWorkerRunsAgainWhenItIsTheOnlyOneLeft() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("released", 4, 0, 1000);
        Started s = start("released", jobs, opts(5), null);
        TestProbe<WorkerMsg> a = kit.createTestProbe();
        TestProbe<WorkerMsg> bp = kit.createTestProbe();
        ActorRef<WorkerMsg> b = stoppableWorker(bp);
        s.coordinator().tell(new RequestWork(b, cap("b", 8, 8), 0, ""));
        bp.expectMessageClass(NoWork.class);
        failInfraRepeatedly(s, a, "boot hung");
        kit.stop(b);
        // b's loss is processed asynchronously: a is refused until then, and released after
        JobSpec got = null;
        for (int i = 0; i < 20 && got == null; i++) {
            s.coordinator().tell(new RequestWork(a.getRef(), cap("a", 8, 8), 8, ""));
            WorkerMsg m = a.receiveMessage(Duration.ofSeconds(5));
            if (m instanceof AssignJobs as) got = as.jobs().get(0);
            else Thread.sleep(100);
        }
        assertThat(got).as("the quarantined worker gets jobs again once it is the only one").isNotNull();
    }

    @Test
    void aJobWhoseHolderSendsNoResultWithinItsLeaseIsTakenBackAndDecidedOnce() throws Exception {
        // one job with a 1 s timeout; lease margin 0: the lease ends 1 s after the assignment
        List<JobSpec> jobs = FakePlan.jobs("lease", 1, 1, 1000);
        Started s = start("lease", jobs, opts(3).withLeaseMargin(Duration.ZERO), null);
        TestProbe<WorkerMsg> a = kit.createTestProbe();
        TestProbe<WorkerMsg> b = kit.createTestProbe();
        s.coordinator().tell(new RequestWork(a.getRef(), cap("a", 8, 8), 8, ""));
        JobSpec first = fish(a, AssignJobs.class).jobs().get(0);
        s.coordinator().tell(new RequestWork(b.getRef(), cap("b", 8, 8), 8, ""));
        fish(b, NoWork.class);
        // a stays silent (its assignment lost, or it is wedged): b is offered the job once the lease ended
        fish(b, WorkAvailable.class);
        s.coordinator().tell(new RequestWork(b.getRef(), cap("b", 8, 8), 8, ""));
        JobSpec retry = fish(b, AssignJobs.class).jobs().get(0);
        assertThat(retry.jobId()).isEqualTo(first.jobId());
        assertThat(retry.attempt()).isEqualTo(1);
        // a's late result for the expired attempt is acknowledged and decides nothing
        s.coordinator().tell(finished(JobResult.of(first, JobStatus.FAIL, "late", "a", "kvm"), a.getRef()));
        fish(a, ResultAck.class);
        s.coordinator().tell(finished(pass(retry, "b"), b.getRef()));
        RunSummary sum = s.done().get(10, TimeUnit.SECONDS);
        assertThat(sum.results()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(JobStatus.PASS);
            assertThat(r.workerNode()).isEqualTo("b");
        });
        assertThat(RunJournal.replay(RunJournal.pathFor(runs, "lease")).duplicateResults()).isZero();
    }

    @Test
    void anAssignmentThatNeverArrivedIsTakenBackWhenTheWorkerDoesNotListIt() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("reconcile", 1, 0, 1000);
        Started s = start("reconcile", jobs, opts(3).withReconcileGrace(Duration.ofMillis(300)), null);
        TestProbe<WorkerMsg> a = kit.createTestProbe();
        s.coordinator().tell(new RequestWork(a.getRef(), cap("a", 8, 8), 8, "", List.of(), ""));
        JobSpec first = fish(a, AssignJobs.class).jobs().get(0); // as if lost on the way
        // within the grace an empty list takes nothing back: the assignment may still be in flight
        s.coordinator().tell(new RequestWork(a.getRef(), cap("a", 8, 8), 8, "", List.of(), ""));
        fish(a, NoWork.class);
        Thread.sleep(400);
        s.coordinator().tell(new RequestWork(a.getRef(), cap("a", 8, 8), 8, "", List.of(), ""));
        JobSpec again = fish(a, AssignJobs.class).jobs().get(0);
        assertThat(again.jobId()).isEqualTo(first.jobId());
        assertThat(again.attempt()).isEqualTo(1);
        // a worker that lists the job keeps it
        Thread.sleep(400);
        s.coordinator().tell(new RequestWork(a.getRef(), cap("a", 8, 8), 8, "", List.of(again.jobId()), ""));
        fish(a, NoWork.class);
        s.coordinator().tell(finished(pass(again, "a"), a.getRef()));
        assertThat(s.done().get(10, TimeUnit.SECONDS).results()).singleElement()
                .satisfies(r -> assertThat(r.attempt()).isEqualTo(1));
    }
}

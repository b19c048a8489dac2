package dev.ktstr.cli.cluster;

import dev.ktstr.cli.cluster.fixture.ClusterSmokeFixture;
import dev.ktstr.coordinator.journal.JournalState;
import dev.ktstr.coordinator.journal.RunJournal;
import dev.ktstr.results.LoadResult;
import dev.ktstr.results.LoadedSidecar;
import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunStore;
import dev.ktstr.protocol.job.ArtifactRef;
import dev.ktstr.protocol.job.ArtifactRole;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.JobStatus;
import dev.ktstr.protocol.sidecar.Sidecar;
import dev.ktstr.vmm.kernel.KernelDiscovery;
import dev.ktstr.vmm.kernel.KernelException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real-VM plan across two worker JVMs on 127.0.0.1: {@code ktstr coordinator} with a small class
 * directory ({@link ClusterSmokeFixture}: 1-vCPU EEVDF and 2-vCPU scx_simple tests), two
 * {@code ktstr worker --slots 1} each with its own cache dir. Checks one PASS sidecar per variant,
 * that both workers ran a job, that each worker fetched and verified every artifact of its job
 * (test jar, kernel image, BTF, System.map, scheduler binary), and that no QEMU process is left.
 * Needs a kernel: {@code KTSTR_TEST_KERNEL}, else the discovery chain; fails, never skips, without one.
 */
class ClusterRealVmIT {

    @TempDir
    Path tmp;

    /** --kernel from KTSTR_TEST_KERNEL; without it the discovery chain must find one here, or the test fails saying so. */
    static List<String> kernelArgs() {
        String k = System.getenv("KTSTR_TEST_KERNEL");
        if (k != null && !k.isBlank()) {
            if (!Files.exists(Path.of(k))) throw new AssertionError("KTSTR_TEST_KERNEL=" + k + " does not exist");
            return List.of("--kernel", k);
        }
        try {
            KernelDiscovery.host().resolve(Optional.empty());
            return List.of();
        } catch (KernelException e) {
            throw new AssertionError("ClusterRealVmIT boots real VMs and needs a sched_ext kernel: set KTSTR_TEST_KERNEL to a"
                    + " bzImage/vmlinux (with System.map, vmlinux.btf and scx/ beside it), e.g. a `ktstr kernel build` cache entry."
                    + " Discovery found none: " + e.getMessage());
        }
    }

    private Path fixtureClassDir() throws Exception {
        return SmokeFixtureDir.in(tmp);
    }

    private Jvm worker(String name, int port) throws IOException {
        Path jvmTmp = Files.createDirectories(tmp.resolve("jvmtmp-" + name));
        return Jvm.start(name, tmp, List.of("-Xmx512m", "-Djava.io.tmpdir=" + jvmTmp),
                "worker", "--join", "127.0.0.1:" + port, "--slots", "1", "--cache-dir", tmp.resolve("cache-" + name).toString(),
                "--join-timeout", "120");
    }

    private static void awaitLog(Jvm j, String text, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!j.output().contains(text)) {
            if (!j.process.isAlive()) throw new AssertionError(j.name + " exited (" + j.process.exitValue() + ") before printing '"
                    + text + "':\n" + j.tail());
            if (System.nanoTime() > deadline) throw new AssertionError(j.name + " did not print '" + text + "' within " + seconds + " s:\n" + j.tail());
            Thread.sleep(200);
        }
    }

    /** Every cached artifact file's sha256, checked against its content-addressed name. */
    private static Set<String> verifiedCache(Path cacheDir) throws IOException {
        Path store = cacheDir.resolve("artifacts").resolve("sha256");
        Set<String> shas = new HashSet<>();
        if (!Files.isDirectory(store)) return shas;
        try (Stream<Path> s = Files.walk(store)) {
            for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                if (f.getParent().getFileName().toString().equals("tmp")) continue;
                String name = f.getFileName().toString();
                assertThat(ArtifactRef.sha256Of(f)).as("cached %s hashes to its name", f).isEqualTo(name);
                shas.add(name);
            }
        }
        return shas;
    }

    /** QEMU processes whose command line names a path under {@code dir} (a test's own VMs). */
    static List<ProcessHandle> qemuUnder(Path dir) {
        String mark = dir.toString();
        return ProcessHandle.allProcesses().filter(p -> p.info().command().orElse("").contains("qemu-system"))
                .filter(p -> p.info().commandLine().orElse("").contains(mark)).toList();
    }

    private List<ProcessHandle> qemuOfThisTest() {
        return qemuUnder(tmp);
    }

    /** A failed run SIGKILLs its JVMs, which leaves their VMs: stop those (by pid, only this test's). */
    @AfterEach
    void stopLeftoverVms() {
        qemuOfThisTest().forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void aRealVmPlanRunsAcrossTwoWorkerJvms() throws Exception {
        List<String> kernel = kernelArgs();
        Path tests = fixtureClassDir();
        Path runs = tmp.resolve("runs");
        int port = Jvm.freePort();
        List<String> args = new ArrayList<>(List.of("coordinator", tests.toString(), "--bind", "127.0.0.1:" + port,
                "--runs-dir", runs.toString(), "--progress-interval", "15"));
        args.addAll(kernel);
        long t0 = System.nanoTime();
        try (Jvm c = Jvm.start("coord", tmp, List.of("-Xmx384m"), args.toArray(String[]::new))) {
            awaitLog(c, "listening on 127.0.0.1:" + port, 240);
            try (Jvm w1 = worker("w1", port); Jvm w2 = worker("w2", port)) {
                int rc = c.awaitExit(1800);
                assertThat(rc).as("coordinator exit status; log:\n%s\n--- w1:\n%s\n--- w2:\n%s", c.tail(), w1.tail(), w2.tail()).isZero();
                assertThat(w1.awaitExit(120)).as(w1.tail()).isZero();
                assertThat(w2.awaitExit(120)).as(w2.tail()).isZero();
                System.out.printf("cluster real-VM run: %.0f s wall%n--- coordinator:%n%s%n--- w1:%n%s%n--- w2:%n%s%n",
                        (System.nanoTime() - t0) / 1e9, c.output(), w1.output(), w2.output());

                String coordOut = c.output();
                assertThat(coordOut).containsPattern("PASS +ktstr/cluster_eevdf_one_cpu")
                        .containsPattern("PASS +ktstr/cluster_scx_simple_two_cpus");

                // one PASS sidecar per variant, each naming the worker that ran it, both workers used
                List<RunDir> all = RunStore.open(runs).runs();
                assertThat(all).hasSize(1);
                RunDir run = all.get(0);
                LoadResult loaded = run.load();
                assertThat(loaded.problems()).isEmpty();
                List<Sidecar> sidecars = loaded.sidecars().stream().map(LoadedSidecar::sidecar).toList();
                assertThat(sidecars).extracting(Sidecar::testName)
                        .containsExactlyInAnyOrder("ktstr/cluster_eevdf_one_cpu", "ktstr/cluster_scx_simple_two_cpus");
                assertThat(sidecars).allSatisfy(s -> {
                    assertThat(s.passed()).as("%s passed (%s)", s.testName(), s.reason()).isTrue();
                    assertThat(s.skipped()).isFalse();
                    assertThat(s.workerNode()).as("worker node of %s", s.testName()).startsWith("127.0.0.1:");
                });
                Set<String> nodes = new HashSet<>();
                sidecars.forEach(s -> nodes.add(s.workerNode()));
                assertThat(nodes).as("jobs ran on both workers").hasSize(2);

                // the journal: the plan and one PASS result per job
                JournalState st = RunJournal.replay(RunJournal.pathFor(runs, run.id()));
                assertThat(st.jobs()).hasSize(2);
                assertThat(st.results().values()).extracting(JobResult::status).containsOnly(JobStatus.PASS);
                assertThat(st.duplicateResults()).isZero();

                // each worker fetched, verified and cached every artifact of the job it ran
                Map<String, Jvm> byNode = new HashMap<>();
                for (Jvm w : List.of(w1, w2)) {
                    // the worker's own address, from its start line (its log also names the other nodes)
                    String node = nodes.stream().filter(n -> w.output().contains("node pekko://ktstr@" + n + " joining")).findFirst()
                            .orElseThrow(() -> new AssertionError(w.name + " ran no job of the run:\n" + w.tail()));
                    byNode.put(node, w);
                }
                for (JobSpec job : st.jobs()) {
                    JobResult r = st.results().get(job.jobId());
                    Jvm w = byNode.get(r.workerNode());
                    Set<String> cached = verifiedCache(tmp.resolve("cache-" + w.name));
                    assertThat(job.artifacts()).extracting(ArtifactRef::role).contains(ArtifactRole.TEST_JAR,
                            ArtifactRole.KERNEL_IMAGE, ArtifactRole.KERNEL_BTF, ArtifactRole.SYSTEM_MAP);
                    for (ArtifactRef a : job.artifacts()) {
                        assertThat(cached).as("%s cached %s %s", w.name, a.role(), a.name()).contains(a.sha256());
                        assertThat(w.output()).contains("fetched " + a.role() + " " + a.name()).contains(a.sha256() + " verified");
                    }
                    if (job.variantName().contains("scx_simple")) {
                        assertThat(job.artifacts()).extracting(ArtifactRef::role).contains(ArtifactRole.SCHEDULER);
                    }
                }
            }
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!qemuOfThisTest().isEmpty() && System.nanoTime() < deadline) Thread.sleep(200);
        assertThat(qemuOfThisTest()).as("qemu-system processes left by this test").isEmpty();
    }
}

package dev.ktstr.coordinator.journal;

import dev.ktstr.coordinator.fake.FakePlan;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;
import dev.ktstr.protocol.job.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunJournalTest {

    @TempDir
    Path dir;

    private static JournalRecord.Plan plan(String id, int n) {
        return new JournalRecord.Plan(id, "now", n, 1.5, 3, 1);
    }

    private static JobResult result(JobSpec j, JobStatus s, String msg) {
        return new JobResult(j.jobId(), j.variantName(), s, msg, "", "w1", "tcg", Map.of("run", 5L), 0, null);
    }

    @Test
    void replayGivesPlanJobsFirstResultPerJobAndRetries() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("r1", 5, 0, 1000);
        try (RunJournal j = RunJournal.create(dir, plan("r1", 5), jobs)) {
            j.append(new JournalRecord.Result(result(jobs.get(0), JobStatus.PASS, "first")));
            j.append(new JournalRecord.Retry(jobs.get(1).jobId(), 0, "worker lost"));
            j.append(new JournalRecord.Result(result(jobs.get(0), JobStatus.FAIL, "duplicate")));
            j.append(new JournalRecord.Result(result(jobs.get(2), JobStatus.TIMEOUT, "slow")));
        }
        JournalState st = RunJournal.replay(RunJournal.pathFor(dir, "r1"));
        assertThat(st.plan().tcgOvercommit()).isEqualTo(1.5);
        assertThat(st.jobs()).isEqualTo(jobs);
        assertThat(st.results()).hasSize(2);
        assertThat(st.results().get(jobs.get(0).jobId()).message()).isEqualTo("first");
        assertThat(st.duplicateResults()).isEqualTo(1);
        assertThat(st.retries()).containsEntry(jobs.get(1).jobId(), 1);
        assertThat(st.pending()).extracting(JobSpec::jobId)
                .containsExactly(jobs.get(1).jobId(), jobs.get(3).jobId(), jobs.get(4).jobId());
        assertThat(st.tornTail()).isFalse();
    }

    @Test
    void tornLastLineIsIgnoredAndCutBeforeAppending() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("r2", 3, 0, 1000);
        Path file;
        try (RunJournal j = RunJournal.create(dir, plan("r2", 3), jobs)) {
            j.append(new JournalRecord.Result(result(jobs.get(0), JobStatus.PASS, "ok")));
            file = j.file();
        }
        Files.writeString(file, "{\"type\":\"result\",\"result\":{\"jobId\":\"" + jobs.get(1).jobId(), StandardOpenOption.APPEND);
        JournalState st = RunJournal.replay(file);
        assertThat(st.tornTail()).isTrue();
        assertThat(st.results()).containsOnlyKeys(jobs.get(0).jobId());
        try (RunJournal j = RunJournal.openForAppend(file)) {
            j.append(new JournalRecord.Result(result(jobs.get(1), JobStatus.FAIL, "after resume")));
        }
        JournalState again = RunJournal.replay(file);
        assertThat(again.tornTail()).isFalse();
        assertThat(again.results()).containsOnlyKeys(jobs.get(0).jobId(), jobs.get(1).jobId());
    }

    @Test
    void corruptMiddleLineIsAnErrorNamingTheLine() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("r3", 2, 0, 1000);
        Path file;
        try (RunJournal j = RunJournal.create(dir, plan("r3", 2), jobs)) {
            file = j.file();
        }
        Files.writeString(file, "garbage\n", StandardOpenOption.APPEND);
        Files.writeString(file, "{\"type\":\"end\",\"at\":\"x\",\"results\":0}\n", StandardOpenOption.APPEND);
        assertThatThrownBy(() -> RunJournal.replay(file)).isInstanceOf(JournalCorruptException.class).hasMessageContaining("line 4");
    }

    @Test
    void refusesToOverwriteAnExistingRun() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("r4", 1, 0, 1000);
        RunJournal.create(dir, plan("r4", 1), jobs).close();
        assertThatThrownBy(() -> RunJournal.create(dir, plan("r4", 1), jobs))
                .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("--resume r4");
    }

    @Test
    void everyLineIsOneJsonRecord() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("r5", 3, 0, 1000);
        try (RunJournal j = RunJournal.create(dir, plan("r5", 3), jobs)) {
            j.append(new JournalRecord.Result(result(jobs.get(0), JobStatus.PASS, "line1\nline2")));
        }
        List<String> lines = Files.readAllLines(RunJournal.pathFor(dir, "r5"), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith("{\"type\":\"plan\"");
        assertThat(lines.get(4)).startsWith("{\"type\":\"result\"");
    }

    @Test
    void aTearInsideAMultiByteCharacterIsATornTailNotAFailedResume() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("r9", 2, 0, 1000);
        Path file;
        try (RunJournal j = RunJournal.create(dir, plan("r9", 2), jobs)) {
            j.append(new JournalRecord.Result(result(jobs.get(0), JobStatus.PASS, "ok")));
            j.append(new JournalRecord.Result(result(jobs.get(1), JobStatus.FAIL, "fehlgeschlagen \u20ac\u20ac\u20ac")));
            file = j.file();
        }
        byte[] all = Files.readAllBytes(file);
        String text = new String(all, StandardCharsets.UTF_8);
        int euro = text.lastIndexOf('\u20ac');
        int cut = text.substring(0, euro).getBytes(StandardCharsets.UTF_8).length + 1; // one byte into the 3-byte character
        Files.write(file, java.util.Arrays.copyOf(all, cut));
        JournalState st = RunJournal.replay(file);
        assertThat(st.tornTail()).isTrue();
        assertThat(st.results()).containsOnlyKeys(jobs.get(0).jobId());
        assertThat(st.results().get(jobs.get(0).jobId()).message()).isEqualTo("ok");
    }

    @Test
    void aSecondResumeOfOneRunIsRefusedWhileTheFirstHoldsIt() throws Exception {
        List<JobSpec> jobs = FakePlan.jobs("r10", 1, 0, 1000);
        Path file;
        try (RunJournal j = RunJournal.create(dir, plan("r10", 1), jobs)) {
            file = j.file();
        }
        try (RunJournal first = RunJournal.openForAppend(file)) {
            assertThatThrownBy(() -> RunJournal.openForAppend(file)).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("run r10 is in use").hasMessageContaining("second --resume");
            first.append(new JournalRecord.Result(result(jobs.get(0), JobStatus.PASS, "ok")));
        }
        try (RunJournal again = RunJournal.openForAppend(file)) {
            assertThat(again.file()).isEqualTo(file); // released on close
        }
    }

    /**
     * 2 000 results of 500 KB (1 GB of journal) replayed, and every result read back, in a JVM
     * with -Xmx512m: replay must stream and keep only offsets.
     */
    @Test
    void aJournalLargerThanTheHeapReplaysInAForkedJvmWithXmx512m() throws Exception {
        int n = 2000;
        List<JobSpec> jobs = FakePlan.jobs("big", n, 0, 1000);
        Path file;
        String big = "x".repeat(500 * 1024);
        try (RunJournal j = RunJournal.create(dir, plan("big", n), jobs)) {
            List<JournalRecord> batch = new java.util.ArrayList<>();
            for (JobSpec job : jobs) {
                batch.add(new JournalRecord.Result(new JobResult(job.jobId(), job.variantName(), JobStatus.PASS, "ok", big, "w1", "tcg",
                        Map.of(), 0, null)));
                if (batch.size() == 50) {
                    j.appendAll(batch);
                    batch.clear();
                }
            }
            file = j.file();
        }
        try {
            assertThat(Files.size(file)).isGreaterThan(1_000_000_000L);
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process p = new ProcessBuilder(java.toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    ReplayProbe.class.getName(), file.toString(), Integer.toString(n))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).contains("replayed " + n + " results, " + n + " read back");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Entry point of the forked JVM of the test above. */
    public static final class ReplayProbe {
        public static void main(String[] args) throws Exception {
            JournalState st = RunJournal.replay(Path.of(args[0]));
            int read = 0;
            for (Map.Entry<String, JobResult> e : st.results().entrySet()) {
                if (e.getValue().details().length() != 500 * 1024) throw new AssertionError("result " + e.getKey() + " read back wrong");
                read++;
            }
            if (st.results().size() != Integer.parseInt(args[1])) throw new AssertionError("results: " + st.results().size());
            System.out.println("replayed " + st.results().size() + " results, " + read + " read back");
        }
    }
}

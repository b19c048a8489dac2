package dev.ktstr.coordinator.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.ktstr.protocol.job.JobResult;
import dev.ktstr.protocol.job.JobSpec;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The append-only run journal: {@code <runsDir>/<runId>/journal.jsonl}, one JSON record per
 * line. Every {@link #append} is fsynced before it returns, so a result the coordinator has
 * acknowledged survives a crash; replay keeps the first result per job id and tolerates a torn
 * last line.
 */
public final class RunJournal implements Closeable {

    public static final String FILE_NAME = "journal.jsonl";
    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            // explicit modules: findAndRegisterModules also picks up whatever is on a user's classpath
            // (Pekko's Scala module, which refuses a newer databind) and fails the class's init
            .registerModule(new Jdk8Module())
            .registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path file;
    private final FileChannel channel;
    private long syncNanos;

    private RunJournal(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    public static Path pathFor(Path runsDir, String runId) {
        return runsDir.resolve(runId).resolve(FILE_NAME);
    }

    /** Starts the journal of a new run with its plan and jobs; refuses to overwrite an existing run. */
    public static RunJournal create(Path runsDir, JournalRecord.Plan plan, List<JobSpec> jobs) throws IOException {
        Path file = pathFor(runsDir, plan.runId());
        Files.createDirectories(file.getParent());
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(file.toString(), null,
                    "run " + plan.runId() + " already has a journal; resume it (--resume " + plan.runId() + ") or pick another run id");
        }
        RunJournal j = new RunJournal(file, ch);
        List<JournalRecord> head = new ArrayList<>(jobs.size() + 1);
        head.add(plan);
        jobs.forEach(job -> head.add(new JournalRecord.Job(job)));
        j.appendAll(head);
        j.syncNanos = 0; // report per-result cost, not the one-off plan write
        return j;
    }

    /** Opens an existing journal to continue appending (resume). */
    public static RunJournal openForAppend(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        // drop a torn last line so the next record starts on a line of its own
        long size = ch.size();
        long keep = size;
        ByteBuffer one = ByteBuffer.allocate(1);
        while (keep > 0) {
            one.clear();
            ch.read(one, keep - 1);
            if (one.get(0) == '\n') break;
            keep--;
        }
        if (keep < size) {
            ch.truncate(keep);
            ch.force(true);
        }
        ch.position(keep);
        return new RunJournal(file, ch);
    }

    public Path file() {
        return file;
    }

    /** Nanoseconds spent writing and fsyncing results since open (the plan write is not counted). */
    public long syncNanos() {
        return syncNanos;
    }

    public void append(JournalRecord r) throws IOException {
        appendAll(List.of(r));
    }

    /** Writes the records and fsyncs once: all of them are durable when this returns. */
    public synchronized void appendAll(List<? extends JournalRecord> records) throws IOException {
        long t0 = System.nanoTime();
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256 * records.size());
        for (JournalRecord r : records) {
            buf.write(JSON.writeValueAsBytes(r));
            buf.write('\n');
        }
        ByteBuffer bb = ByteBuffer.wrap(buf.toByteArray());
        while (bb.hasRemaining()) channel.write(bb);
        channel.force(false);
        syncNanos += System.nanoTime() - t0;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }

    public static JournalState replay(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no journal for this run (wrong run id or --runs-dir?)");
        }
        byte[] raw = Files.readAllBytes(file);
        boolean endsWithNewline = raw.length > 0 && raw[raw.length - 1] == '\n';
        JournalRecord.Plan plan = null;
        List<JobSpec> jobs = new ArrayList<>();
        Map<String, JobResult> results = new LinkedHashMap<>();
        Map<String, Integer> retries = new HashMap<>();
        int duplicates = 0;
        boolean torn = false;
        boolean ended = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            JournalRecord r;
            try {
                r = JSON.readValue(line, JournalRecord.class);
            } catch (JsonProcessingException e) {
                if (i == lines.size() - 1 && !endsWithNewline) {
                    torn = true; // the crash hit mid-line; that record was never acknowledged
                    break;
                }
                throw new JournalCorruptException(file + " line " + (i + 1) + " is not a journal record: "
                        + e.getOriginalMessage());
            }
            if (i == 0 && !(r instanceof JournalRecord.Plan)) {
                throw new JournalCorruptException(file + " does not start with a plan record");
            }
            if (r instanceof JournalRecord.Plan p) {
                if (plan != null) throw new JournalCorruptException(file + " line " + (i + 1) + ": a second plan record");
                if (p.formatVersion() > FORMAT_VERSION) {
                    throw new JournalCorruptException(file + " was written by a newer ktstr (format " + p.formatVersion() + ")");
                }
                plan = p;
            } else if (r instanceof JournalRecord.Job j) {
                jobs.add(j.job());
            } else if (r instanceof JournalRecord.Result res) {
                if (results.putIfAbsent(res.result().jobId(), res.result()) != null) duplicates++;
            } else if (r instanceof JournalRecord.Retry rt) {
                retries.merge(rt.jobId(), 1, Integer::sum);
            } else if (r instanceof JournalRecord.End) {
                ended = true;
            }
        }
        if (plan == null) throw new JournalCorruptException(file + " is empty");
        if (jobs.size() != plan.jobCount()) {
            throw new JournalCorruptException(file + ": plan announces " + plan.jobCount() + " jobs but " + jobs.size()
                    + " job records follow (the coordinator died while writing the plan; start the run again)");
        }
        return new JournalState(plan, List.copyOf(jobs), results, retries, duplicates, torn, ended);
    }
}

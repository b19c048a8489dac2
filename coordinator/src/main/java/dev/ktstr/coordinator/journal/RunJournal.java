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
        lock(ch, file);
        RunJournal j = new RunJournal(file, ch);
        syncDirectory(file.getParent());
        syncDirectory(file.getParent().getParent());
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
        lock(ch, file);
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

    /**
     * Takes the run's exclusive lock (an OS lock on the journal, released when the process dies):
     * two coordinators appending to one journal would interleave and double-run its jobs.
     */
    private static void lock(FileChannel ch, Path file) throws IOException {
        java.nio.channels.FileLock l;
        try {
            l = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            l = null; // this JVM already holds it
        }
        if (l == null) {
            ch.close();
            throw new IOException("run " + file.getParent().getFileName() + " is in use: another ktstr process holds the lock on " + file
                    + " (a second --resume of a running run?); wait for it to finish or stop it, then resume again");
        }
    }

    /** fsyncs a directory so a file just created in it survives a crash (its entry is in the directory). */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // a platform that cannot open a directory for fsync (not Linux): the file itself is fsynced either way
        }
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

    /**
     * Reads the journal as a stream of lines (bytes, never the whole file and never as one decoded
     * string): a torn last line, even one cut inside a multi-byte UTF-8 character, is ignored. Only
     * each result's job id and file offset are kept; {@link JournalState#results()} reads a result
     * back from the file when asked for it, so a journal larger than the heap replays.
     */
    public static JournalState replay(Path file) throws IOException {
        java.io.InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no journal for this run (wrong run id or --runs-dir?)");
        }
        JournalRecord.Plan plan = null;
        List<JobSpec> jobs = new ArrayList<>();
        Map<String, Long> resultOffsets = new LinkedHashMap<>();
        Map<String, Integer> retries = new HashMap<>();
        int duplicates = 0;
        boolean torn = false;
        boolean ended = false;
        try (java.io.InputStream in = new java.io.BufferedInputStream(raw, 1 << 16)) {
            LineBuffer line = new LineBuffer();
            long offset = 0;
            for (int i = 0; ; i++) {
                long start = offset;
                int n = line.read(in);
                if (n < 0) break;
                offset += n;
                if (line.blank()) continue;
                JournalRecord r;
                try {
                    r = JSON.readValue(line.bytes, 0, line.length, JournalRecord.class);
                } catch (JsonProcessingException e) {
                    if (!line.newline) {
                        torn = true; // the crash hit mid-line; that record was never acknowledged
                        break;
                    }
                    throw new JournalCorruptException(file + " line " + (i + 1) + " is not a journal record: " + e.getOriginalMessage());
                }
                if (plan == null && !(r instanceof JournalRecord.Plan)) {
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
                    if (resultOffsets.putIfAbsent(res.result().jobId(), start) != null) duplicates++;
                } else if (r instanceof JournalRecord.Retry rt) {
                    retries.merge(rt.jobId(), 1, Integer::sum);
                } else if (r instanceof JournalRecord.End) {
                    ended = true;
                }
            }
        }
        if (plan == null) throw new JournalCorruptException(file + " is empty");
        if (jobs.size() != plan.jobCount()) {
            throw new JournalCorruptException(file + ": plan announces " + plan.jobCount() + " jobs but " + jobs.size()
                    + " job records follow (the coordinator died while writing the plan; start the run again)");
        }
        return new JournalState(plan, List.copyOf(jobs), new JournaledResults(file, resultOffsets), retries, duplicates, torn, ended);
    }

    /** One line's bytes, reused between lines; {@code newline} says whether it ended with a newline (else it is the torn tail). */
    private static final class LineBuffer {
        byte[] bytes = new byte[8192];
        int length;
        boolean newline;

        /** Bytes consumed (line plus newline), or -1 at end of file. */
        int read(java.io.InputStream in) throws IOException {
            length = 0;
            newline = false;
            int b;
            int consumed = 0;
            while ((b = in.read()) >= 0) {
                consumed++;
                if (b == '\n') {
                    newline = true;
                    return consumed;
                }
                if (length == bytes.length) bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
                bytes[length++] = (byte) b;
            }
            return consumed == 0 ? -1 : consumed;
        }

        boolean blank() {
            for (int i = 0; i < length; i++) if (!Character.isWhitespace(bytes[i])) return false;
            return true;
        }
    }

    /**
     * The first result per job id, read back from the journal on access: replay keeps only offsets,
     * so memory does not grow with the size of the journaled outcomes.
     */
    static final class JournaledResults extends java.util.AbstractMap<String, JobResult> {
        private final Path file;
        private final Map<String, Long> offsets;

        JournaledResults(Path file, Map<String, Long> offsets) {
            this.file = file;
            this.offsets = java.util.Collections.unmodifiableMap(offsets);
        }

        @Override public int size() { return offsets.size(); }
        @Override public boolean containsKey(Object key) { return offsets.containsKey(key); }
        @Override public java.util.Set<String> keySet() { return offsets.keySet(); }

        @Override
        public JobResult get(Object key) {
            Long at = offsets.get(key);
            return at == null ? null : load(at);
        }

        private JobResult load(long at) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                 java.io.InputStream in = new java.io.BufferedInputStream(java.nio.channels.Channels.newInputStream(ch.position(at)), 1 << 16)) {
                LineBuffer line = new LineBuffer();
                line.read(in);
                return ((JournalRecord.Result) JSON.readValue(line.bytes, 0, line.length, JournalRecord.class)).result();
            } catch (IOException | ClassCastException e) {
                throw new java.io.UncheckedIOException(new IOException(file + " changed while its run was being resumed (offset " + at + "): "
                        + e.getMessage(), e));
            }
        }

        @Override
        public java.util.Set<Entry<String, JobResult>> entrySet() {
            return new java.util.AbstractSet<>() {
                @Override public int size() { return offsets.size(); }
                @Override public java.util.Iterator<Entry<String, JobResult>> iterator() {
                    java.util.Iterator<Entry<String, Long>> it = offsets.entrySet().iterator();
                    return new java.util.Iterator<>() {
                        @Override public boolean hasNext() { return it.hasNext(); }
                        @Override public Entry<String, JobResult> next() {
                            Entry<String, Long> e = it.next();
                            return new SimpleImmutableEntry<>(e.getKey(), load(e.getValue()));
                        }
                    };
                }
            };
        }
    }
}

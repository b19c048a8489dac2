package dev.ktstr.host;

import dev.ktstr.host.OwnedTempFiles.OwnedName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Removes what dead ktstr processes left under a directory: entries named by {@link OwnedTempFiles}
 * whose owner no longer runs (pid gone, or the pid now another process), and entries of the old
 * un-owned form once they are older than {@link #LEGACY_MAX_AGE} and no process uses them. A QEMU
 * still running for a dead owner is killed first: QemuLaunch puts the owner pid and the VM's paths
 * in QEMU's environment, so a process is killed only when its environment names both the dead
 * owner's pid and a path inside the entry being removed.
 */
public final class LeftoverReaper {
    /** Set by QemuLaunch on QEMU and its watchdog: the JVM that started them. */
    public static final String OWNER_PID_ENV = "KTSTR_OWNER_PID";
    /** Set by QemuLaunch: the VM's run directory. */
    public static final String RUN_DIR_ENV = "KTSTR_VM_RUN_DIR";
    /** Set by QemuLaunch when guest RAM is a shared file: that file. */
    public static final String MEM_FILE_ENV = "KTSTR_VM_MEM_FILE";
    /** Old un-owned names are reaped only this long after their last change: a live run of an older build may own them. */
    public static final Duration LEGACY_MAX_AGE = Duration.ofHours(1);

    private LeftoverReaper() {}

    /** What one or more {@code reap} calls did. */
    public record Result(List<Path> deadOwners, List<Path> legacy, List<Long> killedPids, List<String> failures) {
        public Result {
            deadOwners = List.copyOf(deadOwners);
            legacy = List.copyOf(legacy);
            killedPids = List.copyOf(killedPids);
            failures = List.copyOf(failures);
        }

        public static final Result NONE = new Result(List.of(), List.of(), List.of(), List.of());

        public Result plus(Result o) {
            return new Result(concat(deadOwners, o.deadOwners), concat(legacy, o.legacy), concat(killedPids, o.killedPids),
                    concat(failures, o.failures));
        }

        public int removed() {
            return deadOwners.size() + legacy.size();
        }

        /** One log line, or empty when nothing was found. */
        public Optional<String> summary() {
            if (removed() == 0 && killedPids.isEmpty() && failures.isEmpty()) return Optional.empty();
            StringBuilder s = new StringBuilder("reaped " + removed() + " leftover" + (removed() == 1 ? "" : "s")
                    + " of dead ktstr processes");
            if (removed() > 0) {
                List<Path> all = new ArrayList<>(deadOwners);
                all.addAll(legacy);
                s.append(": ").append(all.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse(""));
            }
            if (!legacy.isEmpty()) {
                s.append(" (").append(legacy.size()).append(" in the old un-owned name format, unchanged for over ")
                        .append(LEGACY_MAX_AGE.toMinutes()).append(" min)");
            }
            if (!killedPids.isEmpty()) s.append("; killed QEMU of a dead owner: pid ").append(killedPids);
            if (!failures.isEmpty()) s.append("; could not remove: ").append(String.join(", ", failures));
            return Optional.of(s.toString());
        }

        private static <T> List<T> concat(List<T> a, List<T> b) {
            List<T> l = new ArrayList<>(a);
            l.addAll(b);
            return l;
        }
    }

    /** Old names: {@code <prefix><random>} from createTempDirectory, or {@code <prefix><pid>-<random>}. */
    public static Predicate<String> legacyNames(String prefix) {
        Pattern p = Pattern.compile(Pattern.quote(prefix) + "[0-9]+(-[0-9]+)?");
        return n -> p.matcher(n).matches();
    }

    public static Result reap(Path root, String prefix) {
        return reap(root, prefix, legacyNames(prefix), LEGACY_MAX_AGE);
    }

    /**
     * @param legacyName which names other than the owned form are ours from before owners were named
     * @param legacyMaxAge how long such an entry must have been unchanged
     */
    public static Result reap(Path root, String prefix, Predicate<String> legacyName, Duration legacyMaxAge) {
        List<Path> entries;
        try (Stream<Path> s = Files.list(root)) {
            entries = s.toList();
        } catch (IOException e) {
            return Result.NONE; // no such directory yet: nothing was left
        }
        List<Path> dead = new ArrayList<>();
        List<Path> old = new ArrayList<>();
        List<Long> killed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Map<Long, KtstrEnv> envs = null;
        Instant cutoff = Instant.now().minus(legacyMaxAge);
        for (Path e : entries) {
            String name = e.getFileName().toString();
            Optional<OwnedName> owned = OwnedTempFiles.parse(name, prefix);
            if (owned.isPresent()) {
                if (owned.get().owner().isAlive()) continue;
                if (envs == null) envs = processEnvironments();
                for (long pid : usersOf(e, envs, Optional.of(owned.get().owner().pid()))) {
                    if (kill(pid, envs.get(pid))) killed.add(pid);
                }
                if (deleteTree(e, failures)) dead.add(e);
            } else if (legacyName.test(name)) {
                if (!olderThan(e, cutoff)) continue;
                if (envs == null) envs = processEnvironments();
                if (!usersOf(e, envs, Optional.empty()).isEmpty()) continue; // a live VM of an older build
                if (deleteTree(e, failures)) old.add(e);
            }
        }
        return new Result(dead, old, killed, failures);
    }

    private static boolean olderThan(Path p, Instant cutoff) {
        try {
            return Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff);
        } catch (IOException e) {
            return false;
        }
    }

    /** Processes whose QEMU paths lie in {@code entry} (and, when given, whose owner pid is {@code ownerPid}). */
    private static List<Long> usersOf(Path entry, Map<Long, KtstrEnv> envs, Optional<Long> ownerPid) {
        String dir = entry.toAbsolutePath().toString();
        List<Long> out = new ArrayList<>();
        envs.forEach((pid, env) -> {
            boolean inEntry = Stream.of(env.vars().get(RUN_DIR_ENV), env.vars().get(MEM_FILE_ENV))
                    .anyMatch(v -> v != null && (v.equals(dir) || v.startsWith(dir + "/")));
            if (inEntry && ownerPid.map(o -> o.toString().equals(env.vars().get(OWNER_PID_ENV))).orElse(true)) out.add(pid);
        });
        return out;
    }

    /** A process's ktstr VM variables, with its start time so a kill never hits a recycled pid. */
    record KtstrEnv(long startTicks, Map<String, String> vars) {}

    /** The ktstr VM variables of every process that has any (unreadable environments are skipped: not ours). */
    static Map<Long, KtstrEnv> processEnvironments() {
        Map<Long, KtstrEnv> out = new HashMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) continue;
                Map<String, String> env = new HashMap<>();
                try {
                    for (String kv : new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8).split("\0")) {
                        int eq = kv.indexOf('=');
                        if (eq <= 0) continue;
                        String k = kv.substring(0, eq);
                        if (k.equals(OWNER_PID_ENV) || k.equals(RUN_DIR_ENV) || k.equals(MEM_FILE_ENV)) env.put(k, kv.substring(eq + 1));
                    }
                } catch (IOException | RuntimeException e) {
                    continue;
                }
                if (env.isEmpty()) continue;
                long pid = Long.parseLong(n);
                OptionalLong start = OwnedTempFiles.startTicksOf(pid);
                if (start.isPresent()) out.put(pid, new KtstrEnv(start.getAsLong(), env));
            }
        } catch (IOException e) {
            // no /proc: nothing can be identified, so nothing is killed
        }
        return out;
    }

    /** SIGKILL, only if the pid is still the process whose environment was read. */
    private static boolean kill(long pid, KtstrEnv env) {
        if (OwnedTempFiles.startTicksOf(pid).orElse(-1) != env.startTicks()) return false;
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().destroyForcibly()) return false;
        try {
            h.get().onExit().get(5, TimeUnit.SECONDS); // its files must be closed before they are removed
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
        return true;
    }

    /** Removes the entry without following links (a job dir links into the artifact cache). */
    private static boolean deleteTree(Path root, List<String> failures) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    Files.deleteIfExists(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) throw e;
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE; // a concurrent reaper took it
                    throw e;
                }
            });
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            failures.add(root + " (" + e.getMessage() + ")");
            return false;
        }
    }
}

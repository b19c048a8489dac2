package dev.ktstr.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Temp files and directories whose names carry the process that made them:
 * {@code <prefix><pid>-<start ticks>-<random>}, where the start ticks are field 22 of
 * {@code /proc/<pid>/stat}. A pid alone is reused; pid plus start time names one process for the
 * life of the machine, so {@link LeftoverReaper} can tell a live owner's entry from a dead one's.
 */
public final class OwnedTempFiles {
    private OwnedTempFiles() {}

    /** One process: its pid and the kernel's start time of it (clock ticks since boot). */
    public record Owner(long pid, long startTicks) {
        /** This JVM. */
        public static Owner current() {
            return Self.OWNER;
        }

        /**
         * Whether this very process still runs. A pid whose stat cannot be read for a reason other
         * than its absence (another user's process under hidepid) counts as alive: never reap on doubt.
         */
        public boolean isAlive() {
            try {
                return parseStartTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII)) == startTicks;
            } catch (NoSuchFileException e) {
                return false;
            } catch (IOException | RuntimeException e) {
                return true;
            }
        }

        String tag() {
            return pid + "-" + startTicks;
        }
    }

    /** Read once: a process's start time never changes. */
    private static final class Self {
        static final Owner OWNER = read();

        private static Owner read() {
            long pid = ProcessHandle.current().pid();
            return new Owner(pid, startTicksOf(pid).orElseThrow(
                    () -> new IllegalStateException("cannot read /proc/" + pid + "/stat: owned temp names need Linux /proc")));
        }
    }

    /** A name of the owned form, split. */
    public record OwnedName(Owner owner, String rest) {}

    /** Field 22 of {@code /proc/<pid>/stat}, when the process exists and the file is readable. */
    public static OptionalLong startTicksOf(long pid) {
        try {
            return OptionalLong.of(parseStartTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII)));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The comm field may hold spaces and parentheses: fields are counted after its last ')'. */
    static long parseStartTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(f[22 - 3]);
    }

    /** The prefix every entry this JVM makes with {@code prefix} starts with. */
    public static String ownedPrefix(String prefix) {
        return prefix + Owner.current().tag() + "-";
    }

    /** {@code <dir>/<prefix><pid>-<start>-<random>}, created 0700. */
    public static Path createDirectory(Path dir, String prefix) throws IOException {
        return Files.createTempDirectory(dir, ownedPrefix(prefix));
    }

    /** {@link #createDirectory} under {@code java.io.tmpdir}. */
    public static Path createDirectory(String prefix) throws IOException {
        return createDirectory(Path.of(System.getProperty("java.io.tmpdir")), prefix);
    }

    /** {@code <dir>/<prefix><pid>-<start>-<random><suffix>}, created 0600. */
    public static Path createFile(Path dir, String prefix, String suffix) throws IOException {
        return Files.createTempFile(dir, ownedPrefix(prefix), suffix);
    }

    /** The owner a name of the owned form names; empty for any other name (those are never an owner's). */
    public static Optional<OwnedName> parse(String name, String prefix) {
        if (!name.startsWith(prefix)) return Optional.empty();
        Matcher m = OWNED.matcher(name.substring(prefix.length()));
        if (!m.matches()) return Optional.empty();
        try {
            return Optional.of(new OwnedName(new Owner(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))), m.group(3)));
        } catch (NumberFormatException e) {
            return Optional.empty(); // digits beyond a long: not a name we made
        }
    }

    private static final Pattern OWNED = Pattern.compile("([1-9][0-9]{0,9})-([0-9]{1,19})-(.+)");
}

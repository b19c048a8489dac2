package dev.ktstr.coordinator.testrun;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@code Scheduler.builder(..).path(..)} binary checked at planning, so a wrong path or a file
 * that cannot run is refused with the user's own path, not found in the guest later under the
 * artifact cache's digest name. A relative path is resolved against the test's project directory
 * (the nearest directory above the test root holding a build file), else the working directory.
 */
final class SchedulerBinary {
    /** Files that mark a project directory. */
    static final List<String> BUILD_FILES = List.of("pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts");
    private static final int ET_REL = 1, ET_EXEC = 2, ET_DYN = 3;
    private static final int EM_X86_64 = 62, EM_BPF = 247;

    private SchedulerBinary() {}

    /** Where a relative path is resolved from, and the words that say why. */
    record Base(Path dir, String why) {}

    /** The project directory of the first test root, else the working directory. */
    static Base base(List<Path> testRoots, Path cwd) {
        for (Path root : testRoots) {
            for (Path d = root.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
                for (String f : BUILD_FILES) {
                    if (Files.isRegularFile(d.resolve(f))) return new Base(d, "the project directory (holds " + f + ", above the test root " + root + ")");
                }
            }
        }
        return new Base(cwd.toAbsolutePath().normalize(), "the working directory (no pom.xml or build.gradle above the test roots)");
    }

    /** The absolute path of {@code userPath}. */
    static Path resolve(String userPath, Base base) {
        Path p = Path.of(userPath);
        return p.isAbsolute() ? p.normalize() : base.dir().resolve(p).normalize();
    }

    /** Null when {@code bin} is an x86-64 ELF executable, else what is wrong, naming the user's path in full. */
    static String problem(String userPath, Path bin, Base base) {
        String named = Path.of(userPath).isAbsolute() ? "scheduler binary " + bin
                : "scheduler binary '" + userPath + "' (relative, resolved against " + base.why() + " " + base.dir() + " to " + bin + ")";
        if (!Files.exists(bin)) return named + " does not exist";
        if (!Files.isRegularFile(bin)) return named + " is not a regular file; give the scheduler's executable";
        byte[] h;
        try (InputStream in = Files.newInputStream(bin)) {
            h = in.readNBytes(20);
        } catch (IOException e) {
            return named + " cannot be read: " + e.getMessage();
        }
        if (h.length < 20 || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') {
            return named + " is not an ELF executable" + (h.length >= 2 && h[0] == '#' && h[1] == '!' ? " (it is a script; the guest runs the"
                    + " scheduler binary itself, so give the executable the script starts)" : "") + "; give the scheduler's user-space binary";
        }
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        int type = Short.toUnsignedInt(b.getShort(16));
        int machine = Short.toUnsignedInt(b.getShort(18));
        if (machine == EM_BPF || type == ET_REL) {
            return named + " is " + (machine == EM_BPF ? "a BPF object (such as a .bpf.o)" : "a relocatable object (.o)")
                    + ", not an executable: give the user-space scheduler binary that loads it (e.g. the scx_* executable built with it)";
        }
        if (machine != EM_X86_64) return named + " is an ELF file for machine " + machine + ", not x86-64 (62); build the scheduler for x86-64";
        if (type != ET_EXEC && type != ET_DYN) return named + " is an ELF file of type " + type + ", not an executable";
        if (!Files.isExecutable(bin)) return named + " is not executable; chmod +x " + bin;
        return null;
    }
}

package dev.ktstr.vmm.initramfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The guest JVMs' AOT cache (JDK 24+: JEP 483, trained once and reused): class loading and linking
 * of the agent and the worker hosts dominate their start under emulation (about 2 500 classes, half
 * of them from jars). The cache is trained on the host with the guest runtime itself, in a
 * directory laid out like the guest's {@code /ktstr} and with the guest's relative classpath
 * ({@code lib/<guest jar>}), so the JVM in the guest accepts it: same JDK build, same jar (size and
 * modification time are checked), and a runtime classpath that starts with the trained one (the
 * test jars are appended after it). Cached by (runtime, jar content, flags) beside the other guest
 * caches; older JDKs get none and start from the runtime's default CDS archive as before.
 */
public final class GuestArchives {
    /** The file name in the guest ({@code /ktstr/guest.aot}), which agent-start looks for. */
    public static final String GUEST_PATH = "/ktstr/guest.aot";
    private static final String LAYOUT = "aot-v1";

    private GuestArchives() {}

    /**
     * The cache for this runtime and guest jar, training it if needed; empty when the runtime is
     * older than JDK 24 (the reason goes to {@code note}).
     *
     * @param flags        the guest JVM flags (GC and heap settings must match the guest's)
     * @param trainingMain the training entry point (in the guest jar)
     */
    public static Result obtain(Path cacheRoot, GuestRuntime runtime, Path guestJar, List<String> flags, String trainingMain)
            throws IOException {
        int feature = GuestRuntimes.featureVersion(runtime.jdkVersion());
        if (feature < 24) {
            return new Result(null, "no AOT cache: the guest runtime is JDK " + runtime.jdkVersion() + " (AOT caches need 24+)", false);
        }
        String jarDigest = InitramfsBuilder.hex(InitramfsBuilder.sha256().digest(Files.readAllBytes(guestJar)));
        String key = InitramfsBuilder.hex(InitramfsBuilder.sha256().digest(String.join("\0", LAYOUT, runtime.cacheKey(), jarDigest,
                guestJar.getFileName().toString(), String.join(" ", flags), trainingMain).getBytes(StandardCharsets.UTF_8))).substring(0, 24);
        Path dir = Files.createDirectories(cacheRoot.resolve("aot"));
        Path out = dir.resolve(key + ".aot");
        if (Files.isRegularFile(out)) return new Result(out, "AOT cache " + out.getFileName() + " (cached)", true);

        Path work = dir.resolve(".train-" + key + "-" + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Path ktstr = Files.createDirectories(work.resolve("ktstr"));
            Path lib = Files.createDirectories(ktstr.resolve("lib"));
            // a symlink: the JVM checks the jar's size and mtime through it, and the guest's copy has the same
            Files.createSymbolicLink(lib.resolve(guestJar.getFileName()), guestJar.toAbsolutePath());
            String cp = "lib/" + guestJar.getFileName();
            String java = runtime.dir().resolve("bin/java").toString();
            Path conf = work.resolve("guest.aotconf");
            Path tmp = work.resolve("guest.aot");
            List<String> record = new ArrayList<>(List.of(java));
            record.addAll(flags);
            record.addAll(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + conf, "-cp", cp, trainingMain));
            GuestRuntimes.run(record, ktstr, "AOT training run");
            List<String> create = new ArrayList<>(List.of(java));
            create.addAll(flags);
            create.addAll(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + conf, "-XX:AOTCache=" + tmp, "-cp", cp));
            GuestRuntimes.run(create, ktstr, "AOT cache creation");
            if (!Files.isRegularFile(tmp)) throw new IOException("AOT cache creation wrote no " + tmp);
            try {
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + tmp + " to " + out + " atomically", e);
            }
            return new Result(out, "AOT cache " + out.getFileName() + " (trained now)", true);
        } finally {
            GuestRuntimes.deleteTree(work);
        }
    }

    /**
     * @param cache the cache file on the host, or null
     * @param note  what was used and why, for the job's log and the sidecar
     */
    public record Result(Path cache, String note, boolean usable) {}
}

package dev.ktstr.vmm.initramfs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cold and warm initramfs build times (run by bench/initramfs-build.sh; not a timed test).
 * Cold = empty cache directory, so jlink + CDS dump + base archive; warm = cached runtime and base,
 * only the copy and the per-run suffix.
 *
 * <p>Arguments: CACHE_DIR [--warm-only] [--keep OUT] [--init FILE] [-i PATH]... [--jar JAR]... [--warm N]
 * With --warm-only the cache is kept and only warm builds run: the first one shows what a fresh
 * `ktstr` process pays (class loading, cold JIT), the rest what a long-lived worker pays.
 */
public final class InitramfsBuildBench {
    public static void main(String[] args) throws Exception {
        Path cache = Path.of(args[0]);
        Path keep = null;
        byte[] init = "#!/bin/sh\necho hello\npoweroff -f\n".getBytes(StandardCharsets.UTF_8);
        List<IncludeSpec> includes = new ArrayList<>();
        List<Path> jars = new ArrayList<>();
        int warm = 5;
        boolean warmOnly = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--keep" -> keep = Path.of(args[++i]);
                case "--init" -> init = Files.readAllBytes(Path.of(args[++i]));
                case "-i" -> includes.add(IncludeSpec.of(Path.of(args[++i])));
                case "--jar" -> jars.add(Path.of(args[++i]));
                case "--warm" -> warm = Integer.parseInt(args[++i]);
                case "--warm-only" -> warmOnly = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (!warmOnly) cold(cache, init, jars, includes);

        // A new builder each time, as a fresh `ktstr` process would have (no in-memory digest memo).
        long[] warmNs = new long[warm];
        BuiltInitramfs last = null;
        for (int r = 0; r < warm; r++) {
            long w0 = System.nanoTime();
            GuestRuntime rt = GuestRuntimes.obtain(cache);
            last = new InitramfsBuilder(cache).build(spec(init, rt, jars, includes, r + 1));
            warmNs[r] = System.nanoTime() - w0;
            if (!last.baseCacheHit()) throw new IllegalStateException("warm build missed the base cache");
            if (keep == null || r < warm - 1) Files.delete(last.file());
            if (r == 0 && warmOnly) System.out.printf("warm, first build in a fresh JVM: %.3f s%n", warmNs[0] / 1e9);
        }
        long[] rest = java.util.Arrays.copyOfRange(warmNs, warmOnly && warm > 1 ? 1 : 0, warm);
        java.util.Arrays.sort(rest);
        System.out.printf("warm: median %.3f s, min %.3f s, max %.3f s over %d builds (runtime lookup + key + copy of %.1f MB + suffix)%n",
                rest[rest.length / 2] / 1e9, rest[0] / 1e9, rest[rest.length - 1] / 1e9, rest.length, last.baseBytes() / 1e6);
        if (keep != null) {
            Files.move(last.file(), keep, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.out.println("kept " + keep);
        }
    }

    private static void cold(Path cache, byte[] init, List<Path> jars, List<IncludeSpec> includes) throws Exception {
        if (Files.exists(cache)) GuestRuntimes.deleteTree(cache);
        InitramfsBuilder builder = new InitramfsBuilder(cache);
        long t0 = System.nanoTime();
        GuestRuntime jre = GuestRuntimes.obtain(cache);
        long tJre = System.nanoTime() - t0;
        BuiltInitramfs cold = builder.build(spec(init, jre, jars, includes, 0));
        long tCold = System.nanoTime() - t0;
        System.out.printf("jdk %s (%s) modules %s%n", jre.jdkVersion(), jre.jdkHome(), jre.modules());
        System.out.printf("cold: %.2f s total (jlink+CDS %.2f s, base archive %.2f s); base %.1f MB, suffix %d B, cache hit %s%n",
                tCold / 1e9, tJre / 1e9, cold.elapsed().toNanos() / 1e9, cold.baseBytes() / 1e6, cold.suffixBytes(), cold.baseCacheHit());
        Files.delete(cold.file());
    }

    private static InitramfsSpec spec(byte[] init, GuestRuntime jre, List<Path> jars, List<IncludeSpec> includes, int run) {
        return new InitramfsSpec(init, true, Optional.of(jre), jars, includes,
                Map.of("/ktstr/run/args", ("run " + run + "\n").getBytes(StandardCharsets.UTF_8),
                        "/ktstr/run/hello.sh", "#!/bin/sh\necho per-run script ok\n".getBytes(StandardCharsets.UTF_8)));
    }
}

package dev.ktstr.vmm.initramfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs jlink for real (about 8 s on 2 cores), so it is an integration test. */
class GuestRuntimesIT {
    @TempDir
    Path cache;

    @Test
    void linksOnceWithCdsAndRunsJacksonJnaHdrHistogram() throws Exception {
        long t0 = System.nanoTime();
        GuestRuntime rt = GuestRuntimes.obtain(cache);
        long cold = System.nanoTime() - t0;
        assertThat(rt.dir()).startsWith(cache.resolve("jre"));
        assertThat(rt.dir().resolve("bin/java")).isExecutable();
        assertThat(rt.dir().resolve("lib/server/classes.jsa")).isRegularFile();
        assertThat(rt.modules()).containsAll(GuestRuntimes.DEFAULT_MODULES);
        assertThat(rt.jdkVersion()).isNotBlank();
        try (var s = Files.list(cache.resolve("jre"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly(rt.cacheKey()); // no temp dirs left
        }

        long t1 = System.nanoTime();
        GuestRuntime again = GuestRuntimes.obtain(cache);
        assertThat(again).isEqualTo(rt);
        assertThat(System.nanoTime() - t1).isLessThan(cold / 10);

        String out = run(List.of(rt.dir().resolve("bin/java").toString(), "-Xshare:on", "--enable-native-access=ALL-UNNAMED",
                "-cp", TestClasspath.asString(), RuntimeProbe.class.getName()));
        assertThat(out).contains("PROBE OK");
        // a different module set is a different cache entry
        GuestRuntime small = GuestRuntimes.obtain(cache, rt.jdkHome(), List.of("java.base"));
        assertThat(small.dir()).isNotEqualTo(rt.dir());
        assertThat(run(List.of(small.dir().resolve("bin/java").toString(), "-Xshare:on", "-version"))).contains("version");
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}

package dev.ktstr.guest.worker;

import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Extracts JNA's libjnidispatch once per agent run, so every worker JVM loads it from
 * {@code jna.boot.library.path} instead of unpacking it from the jar again (measurable under TCG).
 */
final class JnaNative {
    private static String dir;

    private JnaNative() {}

    /** Directory holding libjnidispatch.so, or null when it cannot be provided (workers fall back to JNA's own extraction). */
    static synchronized String extractOnce() {
        if (dir != null) return dir;
        String resource = "com/sun/jna/" + Platform.RESOURCE_PREFIX + "/libjnidispatch.so";
        try (InputStream in = JnaNative.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) return null;
            Path d = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "ktstr-jna-" + ProcessHandle.current().pid()));
            d.toFile().deleteOnExit();
            Path lib = d.resolve("libjnidispatch.so");
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            lib.toFile().deleteOnExit();
            dir = d.toString();
            return dir;
        } catch (IOException e) {
            return null;
        }
    }
}

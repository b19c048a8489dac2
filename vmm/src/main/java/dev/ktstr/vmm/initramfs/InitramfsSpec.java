package dev.ktstr.vmm.initramfs;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What goes into one guest initramfs.
 *
 * @param init     bytes of {@code /init} (mode 0755); part of the cached base
 * @param busybox  include static busybox at /bin/busybox with applet links in /bin and /sbin
 * @param jre      guest JRE placed at /jre (its shared-library closure comes along)
 * @param jars     placed at /ktstr/lib/&lt;file name&gt;
 * @param includes host files/directories; ELF binaries bring their shared libraries
 * @param runFiles per-run suffix archive: absolute guest path -&gt; content; mode 0755 if the
 *                 content starts with "#!", else 0644. Not part of the cache key.
 */
public record InitramfsSpec(byte[] init, boolean busybox, Optional<GuestRuntime> jre,
                            List<Path> jars, List<IncludeSpec> includes,
                            Map<String, byte[]> runFiles) {

    /** Guest directory for {@link #jars}. */
    public static final String JAR_DIR = "/ktstr/lib";

    public InitramfsSpec {
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(jre, "jre");
        jars = List.copyOf(jars);
        includes = List.copyOf(includes);
        runFiles = Map.copyOf(runFiles);
        for (String p : runFiles.keySet()) {
            GuestPaths.requireValid(p, "per-run file");
        }
    }
}

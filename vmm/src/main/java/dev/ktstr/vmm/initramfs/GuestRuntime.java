package dev.ktstr.vmm.initramfs;

import java.nio.file.Path;
import java.util.List;

/**
 * A jlinked JRE on the host, ready to be copied to {@link #GUEST_DIR} in the guest.
 *
 * @param dir        host directory of the image (contains bin/java, lib/, lib/server/classes.jsa)
 * @param jdkHome    the JDK it was linked from
 * @param jdkVersion that JDK's version (JAVA_RUNTIME_VERSION from its {@code release} file)
 * @param modules    the module set linked in
 * @param cacheKey   identifies (JDK path, version, modules, options); the directory name in the cache
 */
public record GuestRuntime(Path dir, Path jdkHome, String jdkVersion, List<String> modules, String cacheKey) {
    /** Where the runtime lives in the guest: the guest runs {@code /jre/bin/java}. */
    public static final String GUEST_DIR = "/jre";

    public GuestRuntime {
        modules = List.copyOf(modules);
    }

    /** The java launcher inside the guest. */
    public static String guestJava() {
        return GUEST_DIR + "/bin/java";
    }
}

package dev.ktstr.guest.worker;

import dev.ktstr.guest.sys.LibC;
import java.nio.file.Path;

/** mkfifo via libc; an existing FIFO is fine (both partners create both ends). */
final class Fifo {
    private static final int EEXIST = 17;

    private Fifo() {}

    static void make(Path p) {
        if (Spawn.mkfifo(p.toString(), 0600) != 0) {
            int e = LibC.errno();
            if (e != EEXIST) throw new IllegalStateException("mkfifo " + p + " failed: errno " + e);
        }
    }
}

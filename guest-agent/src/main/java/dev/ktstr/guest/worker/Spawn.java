package dev.ktstr.guest.worker;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** libc process creation calls for ForkExit, direct-mapped (no allocation per call). */
final class Spawn {
    static {
        Native.register(Spawn.class, Platform.C_LIBRARY_NAME);
    }

    private Spawn() {}

    static native int posix_spawn(int[] pid, Pointer path, Pointer fileActions, Pointer attr, Pointer argv, Pointer envp);

    static native int waitpid(int pid, int[] status, int options);

    static native int mkfifo(String path, int mode);
}

package dev.ktstr.guest.worker;

import com.sun.jna.Memory;

/** Preallocated timespec for bounded futex waits. */
final class Futex {
    private Futex() {}

    static Memory timeout100ms() {
        Memory ts = new Memory(16);
        ts.setLong(0, 0);
        ts.setLong(8, 100_000_000L);
        return ts;
    }
}

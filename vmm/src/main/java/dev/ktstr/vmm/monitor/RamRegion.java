package dev.ktstr.vmm.monitor;

import java.nio.file.Path;

/** A run of guest-physical addresses backed by a range of one shared RAM file. */
public record RamRegion(long guestPhysStart, long size, Path file, long fileOffset) {
    public boolean contains(long pa, int len) {
        return pa >= guestPhysStart && pa + len <= guestPhysStart + size;
    }
}

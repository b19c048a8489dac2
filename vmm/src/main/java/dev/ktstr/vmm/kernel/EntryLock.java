package dev.ktstr.vmm.kernel;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive lock on one cache key: an OS file lock on {@code {root}/.locks/{key}.lock} (between processes) plus a
 * JVM-wide reentrant lock (between threads of this process, which file locks do not separate). Reentrant per thread.
 */
public final class EntryLock implements AutoCloseable {

    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final Map<Path, FileLock> FILE_LOCKS = new ConcurrentHashMap<>();

    private final Path lockFile;
    private final ReentrantLock jvmLock;
    private boolean closed;

    private EntryLock(Path lockFile, ReentrantLock jvmLock) {
        this.lockFile = lockFile;
        this.jvmLock = jvmLock;
    }

    static EntryLock acquire(Path lockFile) {
        return acquire(lockFile, true).orElseThrow();
    }

    static Optional<EntryLock> tryAcquire(Path lockFile) {
        return acquire(lockFile, false);
    }

    private static Optional<EntryLock> acquire(Path lockFile, boolean block) {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        if (block) jvm.lock();
        else if (!jvm.tryLock()) return Optional.empty();
        if (jvm.getHoldCount() > 1) return Optional.of(new EntryLock(key, jvm)); // this thread already holds the file lock
        try {
            Files.createDirectories(key.getParent());
            FileChannel ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fl;
            try {
                fl = block ? ch.lock() : ch.tryLock();
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            if (fl == null) {
                ch.close();
                jvm.unlock();
                return Optional.empty();
            }
            FILE_LOCKS.put(key, fl);
            return Optional.of(new EntryLock(key, jvm));
        } catch (IOException e) {
            jvm.unlock();
            throw new KernelException("cannot lock " + key + ": " + e.getMessage(), e);
        }
    }

    /** True when the current thread holds the lock for this file. */
    static boolean heldByCurrentThread(Path lockFile) {
        ReentrantLock l = JVM_LOCKS.get(lockFile.toAbsolutePath().normalize());
        return l != null && l.isHeldByCurrentThread();
    }

    public Path file() {
        return lockFile;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (jvmLock.getHoldCount() == 1) {
                FileLock fl = FILE_LOCKS.remove(lockFile);
                if (fl != null) {
                    try {
                        fl.release();
                    } finally {
                        fl.channel().close();
                    }
                }
            }
        } catch (IOException e) {
            // the OS drops the lock when the channel or the process goes away; nothing to recover here
        } finally {
            jvmLock.unlock();
        }
    }
}

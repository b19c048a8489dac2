package dev.ktstr.vmm.initramfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * SHA-256 of host files, remembered on disk by (path, size, mtime, ctime, inode) like git's index, so a
 * fresh process does not rehash busybox, libraries and includes on every VM launch (the cold JIT hashes
 * at a few tens of MB/s). ctime cannot be set by tools that preserve mtime, so any rewrite changes the
 * identity and the file is hashed again.
 */
final class DigestMemo {
    private static final int MAX_ENTRIES = 20_000;
    private final Path file;
    private final Map<String, String> byIdentity = new ConcurrentHashMap<>();
    private volatile boolean dirty;

    DigestMemo(Path file) {
        this.file = file;
        try {
            if (Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    int tab = line.indexOf('\t');
                    if (tab == 64) byIdentity.put(line.substring(tab + 1), line.substring(0, tab));
                }
            }
        } catch (IOException | RuntimeException e) {
            byIdentity.clear(); // a damaged memo only costs rehashing
        }
    }

    String digest(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:size,lastModifiedTime,ctime,ino");
        String id = ((Number) a.get("size")).longValue() + " " + ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS) + " "
                + ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS) + " " + a.get("ino") + " " + p.toRealPath();
        String d = byIdentity.get(id);
        if (d == null) {
            MessageDigest md = InitramfsBuilder.sha256();
            try (InputStream in = Files.newInputStream(p)) {
                byte[] buf = new byte[1 << 16];
                int r;
                while ((r = in.read(buf)) > 0) md.update(buf, 0, r);
            }
            d = InitramfsBuilder.hex(md.digest());
            byIdentity.put(id, d);
            dirty = true;
        }
        return d;
    }

    /** Best effort: concurrent writers each rename a complete file; the loser's new entries are just rehashed later. */
    void save() {
        if (!dirty) return;
        List<String> lines = new ArrayList<>();
        byIdentity.forEach((id, d) -> {
            if (lines.size() < MAX_ENTRIES && id.indexOf('\n') < 0) lines.add(d + "\t" + id);
        });
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createDirectories(file.getParent());
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            dirty = false;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do for a cache file
            }
        }
    }
}

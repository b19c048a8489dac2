package dev.ktstr.vmm.initramfs;

import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The guest file tree keyed by cpio entry name (no leading slash). Parents are created on demand so
 * the kernel, which does not create missing directories while unpacking, always sees them first; the
 * sorted order puts every directory before its children.
 */
final class GuestTree {
    private final TreeMap<String, GuestNode> entries = new TreeMap<>();

    /** Adds a node; an identical node at the same path is a no-op, a different one is an error naming both. */
    void put(String guestPath, GuestNode node) {
        String name = GuestPaths.entryName(GuestPaths.requireValid(guestPath, describe(node)));
        if (name.isEmpty()) throw new IllegalArgumentException(describe(node) + ": cannot replace the root directory '/'");
        int slash = -1;
        while ((slash = name.indexOf('/', slash + 1)) > 0) {
            String parent = name.substring(0, slash);
            GuestNode p = entries.get(parent);
            if (p == null) {
                entries.put(parent, new GuestNode.Dir(0755));
            } else if (!(p instanceof GuestNode.Dir)) {
                throw new IllegalArgumentException("guest path /" + name + " (" + describe(node) + ") needs /" + parent
                        + " to be a directory, but it is " + describe(p));
            }
        }
        GuestNode old = entries.get(name);
        if (old == null || (old instanceof GuestNode.Dir && node instanceof GuestNode.Dir)) {
            if (old == null) entries.put(name, node);
            return;
        }
        if (same(old, node)) return;
        throw new IllegalArgumentException("guest path /" + name + " is provided twice: by " + describe(old) + " and by "
                + describe(node) + "; give one of them a different guest path");
    }

    boolean contains(String guestPath) {
        return entries.containsKey(GuestPaths.entryName(guestPath));
    }

    GuestNode get(String guestPath) {
        return entries.get(GuestPaths.entryName(guestPath));
    }

    NavigableMap<String, GuestNode> entries() {
        return Collections.unmodifiableNavigableMap(entries);
    }

    private static boolean same(GuestNode a, GuestNode b) {
        if (a instanceof GuestNode.HostFile x && b instanceof GuestNode.HostFile y) {
            return x.canonical().equals(y.canonical()) && x.perm() == y.perm();
        }
        return a.equals(b);
    }

    static String describe(GuestNode n) {
        if (n instanceof GuestNode.HostFile f) return f.origin() + " " + f.source();
        if (n instanceof GuestNode.Bytes b) return b.origin();
        if (n instanceof GuestNode.Symlink s) return "a symlink to " + s.target();
        if (n instanceof GuestNode.CharDevice) return "a device node";
        return "a directory";
    }
}

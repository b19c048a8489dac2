package dev.ktstr.vmm.elf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Computes the shared-library closure of ELF objects the way glibc's ld.so searches: PT_INTERP, then
 * DT_NEEDED recursively, each looked up in DT_RPATH (only when the object has no DT_RUNPATH; also the
 * loaders' DT_RPATH), LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache, ld.so.conf directories, then the
 * default directories. A soname already loaded in the same group (same process) satisfies later
 * requests, as in ld.so.
 */
public final class SharedLibraryResolver {
    /** glibc's system search path on Debian/Ubuntu x86_64 plus the lib64 directories of other distributions. */
    public static final List<Path> DEFAULT_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"), Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"), Path.of("/usr/lib"));
    /** The guest's ld.so has no ld.so.cache; it finds libraries in these directories without one. */
    public static final List<String> GUEST_SYSTEM_DIRS = List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib");
    /** Where a link is added for a library the guest's ld.so would otherwise not find (see {@link Library#guestLinks}). */
    public static final String GUEST_LINK_DIR = "/usr/lib/x86_64-linux-gnu";
    /**
     * Directories the guest's /init mounts a fresh file system on (tmpfs, devtmpfs, proc, sysfs): a
     * file packed below one of them is hidden in the guest. Keep in step with guest-agent's init.sh.
     */
    public static final List<String> GUEST_MOUNTED_DIRS = List.of("/tmp", "/run", "/dev", "/proc", "/sys");
    /**
     * Libraries whose host directory lies under a {@link #GUEST_MOUNTED_DIRS} entry are stored at
     * this prefix plus their host path instead, with a {@link #GUEST_LINK_DIR} link: the program's
     * RUNPATH or LD_LIBRARY_PATH entry (/tmp/...) finds nothing in the guest and ld.so falls through
     * to its system directories, where the link is.
     */
    public static final String RELOCATED_LIB_DIR = "/ktstr/hostlib";

    /** The search configuration; {@link #host()} reads it from this machine. */
    public record Config(List<Path> ldLibraryPath, LdSoCache cache, List<Path> confDirs, List<Path> defaultDirs) {
        public Config {
            ldLibraryPath = List.copyOf(ldLibraryPath);
            confDirs = List.copyOf(confDirs);
            defaultDirs = List.copyOf(defaultDirs);
        }
    }

    /** An ELF object to resolve, with the absolute path it will have in the guest ($ORIGIN is computed from it there). */
    public record ElfObject(Path hostPath, String guestPath) {}

    /**
     * A library of the closure.
     *
     * @param soname     the name it was requested by (or the interpreter path)
     * @param hostPath   where it was found on the host (not canonicalised: the guest uses the same path)
     * @param guestPath  where to store it in the guest: the host path, or for $ORIGIN-relative finds, the
     *                   same relative location next to the guest copy of the object that needed it
     * @param guestLinks extra guest paths (symlinks) that make the guest's cache-less ld.so find it
     * @param neededBy   the first object that needed it, for error messages and reports
     */
    public record Library(String soname, Path hostPath, String guestPath, List<String> guestLinks, Path neededBy) {
        public Library {
            guestLinks = List.copyOf(guestLinks);
        }
    }

    private final Config config;
    private final Map<Path, ElfFile> parsed = new HashMap<>();

    public SharedLibraryResolver(Config config) {
        this.config = config;
    }

    /** This machine's configuration: $LD_LIBRARY_PATH, /etc/ld.so.cache, /etc/ld.so.conf and {@link #DEFAULT_DIRS}. */
    public static SharedLibraryResolver host() throws IOException {
        List<Path> llp = new ArrayList<>();
        String env = System.getenv("LD_LIBRARY_PATH");
        if (env != null) {
            for (String s : env.split("[:;]")) if (!s.isEmpty()) llp.add(Path.of(s));
        }
        return new SharedLibraryResolver(new Config(llp, LdSoCache.load(Path.of("/etc/ld.so.cache")),
                LdSoConf.directories(Path.of("/etc/ld.so.conf")), DEFAULT_DIRS));
    }

    public ElfFile parse(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        ElfFile e = parsed.get(key);
        if (e == null) {
            e = ElfFile.parse(key);
            parsed.put(key, e);
        }
        return e;
    }

    /**
     * The libraries needed by a group of objects that run in one process (or, for unrelated
     * binaries, call this once per binary). Group members themselves are not in the result.
     *
     * @throws MissingLibraryException naming the soname and the object needing it
     */
    public List<Library> closure(List<ElfObject> group) throws IOException {
        Map<String, Node> loaded = new HashMap<>();
        Map<String, Library> result = new LinkedHashMap<>();
        Deque<Node> queue = new ArrayDeque<>();
        for (ElfObject o : group) {
            ElfFile f = parse(o.hostPath());
            Node n = new Node(f, o.hostPath().toAbsolutePath().normalize(), o.guestPath(), null);
            loaded.putIfAbsent(f.soname().orElse(n.host.getFileName().toString()), n);
            queue.add(n);
        }
        while (!queue.isEmpty()) {
            Node n = queue.poll();
            if (n.elf.interpreter().isPresent()) {
                String interp = n.elf.interpreter().get();
                if (!loaded.containsKey(interp)) {
                    Path p = Path.of(interp);
                    if (!Files.isRegularFile(p)) {
                        throw new MissingLibraryException(interp + " (ELF interpreter)", n.host, List.of());
                    }
                    Node in = new Node(parse(p), p, interp, n);
                    loaded.put(interp, in);
                    in.elf.soname().ifPresent(s -> loaded.putIfAbsent(s, in));
                    result.put(interp, new Library(interp, p, interp, List.of(), n.host));
                    queue.add(in);
                }
            }
            for (String name : n.elf.needed()) {
                if (loaded.containsKey(name)) continue;
                Found found = relocateIfHidden(find(name, n));
                Node child = new Node(parse(found.host), found.host, found.guest, n);
                loaded.put(name, child);
                queue.add(child);
                List<String> links = found.needsLink && !name.contains("/")
                        ? List.of(GUEST_LINK_DIR + "/" + name) : List.of();
                result.put(found.guest, new Library(name, found.host, found.guest, links, n.host));
            }
        }
        return List.copyOf(result.values());
    }

    private record Node(ElfFile elf, Path host, String guest, Node loader) {}

    /** needsLink: found only through something the guest's ld.so will not consult (cache, conf dirs, LD_LIBRARY_PATH). */
    private record Found(Path host, String guest, boolean needsLink) {}

    private Found find(String name, Node n) throws IOException {
        if (name.contains("/")) {
            Path p = Path.of(name);
            if (usable(p)) return new Found(p, p.toString(), false);
            throw new MissingLibraryException(name, n.host, List.of());
        }
        Set<Path> searched = new LinkedHashSet<>();
        Found f;
        if (n.elf.runpath().isEmpty()) {
            for (Node l = n; l != null; l = l.loader) {
                if (!l.elf.runpath().isEmpty()) break;
                if ((f = searchEntries(name, l.elf.rpath(), l, searched)) != null) return f;
            }
        }
        if ((f = searchDirs(name, config.ldLibraryPath(), true, searched)) != null) return f;
        if ((f = searchEntries(name, n.elf.runpath(), n, searched)) != null) return f;
        Optional<Path> cached = config.cache().lookup(name);
        if (cached.isPresent() && usable(cached.get())) {
            Path p = cached.get().toAbsolutePath().normalize();
            return new Found(p, p.toString(), !isGuestSystemDir(p.getParent()));
        }
        if ((f = searchDirs(name, config.confDirs(), true, searched)) != null) return f;
        if ((f = searchDirs(name, config.defaultDirs(), false, searched)) != null) return f;
        throw new MissingLibraryException(name, n.host, List.copyOf(searched));
    }

    /** Where a library goes when its host path would be hidden by a guest mount (see {@link #RELOCATED_LIB_DIR}). */
    private static Found relocateIfHidden(Found f) {
        return hiddenInGuest(f.guest) ? new Found(f.host, RELOCATED_LIB_DIR + f.guest, true) : f;
    }

    /** True when /init mounts over a directory above {@code guestPath}. */
    public static boolean hiddenInGuest(String guestPath) {
        for (String d : GUEST_MOUNTED_DIRS) if (guestPath.equals(d) || guestPath.startsWith(d + "/")) return true;
        return false;
    }

    private Found searchEntries(String name, List<String> entries, Node owner, Set<Path> searched) throws IOException {
        String hostOrigin = owner.host.getParent().toString();
        String guestParent = parentOf(owner.guest);
        for (String entry : entries) {
            boolean origin = entry.contains("$ORIGIN") || entry.contains("${ORIGIN}");
            Path dir = Path.of(expandOrigin(entry, hostOrigin)).toAbsolutePath().normalize();
            searched.add(dir);
            Path cand = dir.resolve(name);
            if (!usable(cand)) continue;
            String guest = origin ? Path.of(expandOrigin(entry, guestParent)).resolve(name).normalize().toString() : cand.toString();
            return new Found(cand, guest, false);
        }
        return null;
    }

    private Found searchDirs(String name, List<Path> dirs, boolean guestNeedsLink, Set<Path> searched) throws IOException {
        for (Path d : dirs) {
            Path dir = d.toAbsolutePath().normalize();
            searched.add(dir);
            Path cand = dir.resolve(name);
            if (usable(cand)) return new Found(cand, cand.toString(), guestNeedsLink && !isGuestSystemDir(dir));
        }
        return null;
    }

    private static boolean isGuestSystemDir(Path dir) {
        return dir != null && GUEST_SYSTEM_DIRS.contains(dir.toString());
    }

    private static String expandOrigin(String entry, String origin) {
        return entry.replace("${ORIGIN}", origin).replace("$ORIGIN", origin);
    }

    private static String parentOf(String guestPath) {
        int i = guestPath.lastIndexOf('/');
        return i <= 0 ? "/" : guestPath.substring(0, i);
    }

    /** ld.so skips candidates of the wrong class or machine and keeps searching; so do we. */
    private boolean usable(Path cand) throws IOException {
        if (!Files.isRegularFile(cand)) return false;
        try {
            parse(cand);
            return true;
        } catch (ElfFormatException e) {
            return false;
        }
    }
}

package dev.ktstr.vmm.kernel;

import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel.org version {@code MAJOR.MINOR[.PATCH][-rcN]}: digits only, no fourth component.
 * Ordering treats a missing patch as 0 and a release as newer than all of its release candidates.
 */
public record KernelVersion(int major, int minor, OptionalInt patch, OptionalInt rc) implements Comparable<KernelVersion> {

    private static final Pattern GRAMMAR = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?(?:-rc(\\d+))?");

    private static final Comparator<KernelVersion> ORDER = Comparator
            .comparingInt(KernelVersion::major)
            .thenComparingInt(KernelVersion::minor)
            .thenComparingInt(v -> v.patch().orElse(0))
            .thenComparingInt(v -> v.rc().orElse(Integer.MAX_VALUE));

    public static Optional<KernelVersion> tryParse(String s) {
        if (s == null) return Optional.empty();
        Matcher m = GRAMMAR.matcher(s.trim());
        if (!m.matches()) return Optional.empty();
        try {
            return Optional.of(new KernelVersion(
                    Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    m.group(3) == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(m.group(3))),
                    m.group(4) == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(m.group(4)))));
        } catch (NumberFormatException e) {
            return Optional.empty(); // digits overflowing int are not a version
        }
    }

    public static KernelVersion parse(String s) {
        return tryParse(s).orElseThrow(() -> new KernelException(
                "'" + s + "' is not a kernel version: expected MAJOR.MINOR[.PATCH][-rcN], e.g. 6.12 or 6.12.8 or 6.13-rc3"));
    }

    public static KernelVersion of(int major, int minor, int patch) {
        return new KernelVersion(major, minor, OptionalInt.of(patch), OptionalInt.empty());
    }

    public boolean isRc() {
        return rc.isPresent();
    }

    /** Same MAJOR.MINOR series. */
    public boolean sameSeries(KernelVersion o) {
        return major == o.major && minor == o.minor;
    }

    /**
     * True when {@code this} (possibly a bare series such as 6.12) selects {@code concrete}:
     * a missing patch matches any patch of the series, a given patch must match exactly.
     */
    public boolean matches(KernelVersion concrete) {
        if (!sameSeries(concrete)) return false;
        if (patch.isPresent() && concrete.patch.orElse(0) != patch.getAsInt()) return false;
        return rc.equals(concrete.rc);
    }

    /** Where kernel.org publishes the release tarball; release candidates live on git.kernel.org. */
    public String tarballUrl() {
        if (isRc()) return "https://git.kernel.org/torvalds/t/linux-" + this + ".tar.gz";
        return "https://cdn.kernel.org/pub/linux/kernel/v" + major + ".x/linux-" + this + ".tar.xz";
    }

    @Override
    public int compareTo(KernelVersion o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(major).append('.').append(minor);
        patch.ifPresent(p -> sb.append('.').append(p));
        rc.ifPresent(r -> sb.append("-rc").append(r));
        return sb.toString();
    }
}

package dev.ktstr.vmm.kernel;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns kbuild's quiet output ({@code "  CC      kernel/sched/core.o"}) into a progress line: objects compiled
 * against an estimate, percent, elapsed time, ETA and the current phase. The estimate comes from the last full build
 * recorded in the cache, else {@link #DEFAULT_ESTIMATE}; when no estimate applies (an incremental build of a tree)
 * only counts and elapsed time are shown, never a made-up percentage.
 */
public final class BuildProgress {

    /**
     * Objects compiled by a full x86_64 {@code defconfig + kvm_guest.config + ktstr.kconfig} build of 6.12
     * (≈ the 3041 kernel .o files of the reference build of linux-source-6.12.117 on 2026-11-22).
     */
    public static final int DEFAULT_ESTIMATE = 3050;
    /** Share of wall time after the last object is compiled (vmlinux link, BTF, bzImage compression). */
    static final double TAIL_SHARE = 0.10;

    private static final Pattern KBUILD = Pattern.compile("^\\s+([A-Z][A-Z0-9_]*)(?: \\[M\\])?\\s+(\\S.*)$");

    private final OptionalInt estimate;
    private final LongSupplier nanos;
    private final long start;
    private int compiled;
    private String phase = "preparing (host tools, headers, dependency checks)";

    public BuildProgress(OptionalInt estimate, LongSupplier nanoClock) {
        this.estimate = estimate;
        this.nanos = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    /** Feeds one line of make output; returns true when it started a new phase worth announcing. */
    public synchronized boolean accept(String line) {
        Matcher m = KBUILD.matcher(line);
        if (m.matches()) {
            String action = m.group(1);
            String target = m.group(2).trim();
            if ((action.equals("CC") || action.equals("AS")) && target.endsWith(".o")) {
                compiled++;
                return setPhase("compiling");
            }
            if (action.equals("LD") && target.equals("vmlinux.o")) return setPhase("linking vmlinux.o");
            if (action.equals("BTF") || action.equals("PAHOLE")) return setPhase("generating BTF (pahole)");
            if (action.equals("LD") && target.startsWith("vmlinux")) return setPhase("linking vmlinux");
            if (target.contains("boot/compressed")) return setPhase("building compressed image");
            return false;
        }
        if (line.startsWith("Kernel: ") && line.contains("is ready")) return setPhase("image ready");
        return false;
    }

    private boolean setPhase(String p) {
        if (p.equals(phase)) return false;
        phase = p;
        return true;
    }

    public synchronized int compiled() {
        return compiled;
    }

    public synchronized String phase() {
        return phase;
    }

    /** Fraction done in [0, 0.99], or empty without an estimate. */
    public synchronized java.util.OptionalDouble fraction() {
        if (estimate.isEmpty() || estimate.getAsInt() <= 0) return java.util.OptionalDouble.empty();
        double compile = Math.min(1.0, compiled / (double) estimate.getAsInt());
        double f = compile * (1 - TAIL_SHARE);
        if (!phase.equals("compiling") && !phase.startsWith("preparing")) f = Math.max(f, 1 - TAIL_SHARE);
        return java.util.OptionalDouble.of(Math.min(0.99, f));
    }

    public Duration elapsed() {
        return Duration.ofNanos(nanos.getAsLong() - start);
    }

    /** ETA from the rate so far; empty until 3% is done (earlier rates are dominated by configure and headers). */
    public synchronized java.util.Optional<Duration> eta() {
        var f = fraction();
        if (f.isEmpty() || f.getAsDouble() < 0.03) return java.util.Optional.empty();
        double el = elapsed().toNanos();
        return java.util.Optional.of(Duration.ofNanos((long) (el * (1 - f.getAsDouble()) / f.getAsDouble())));
    }

    /** e.g. {@code "1843/3300 objects (50%), 12m04s elapsed, ETA ~11m, compiling"}. */
    public synchronized String status() {
        StringBuilder sb = new StringBuilder();
        var f = fraction();
        if (f.isPresent()) {
            sb.append(compiled).append('/').append(estimate.getAsInt()).append(" objects (")
              .append((int) Math.floor(f.getAsDouble() * 100)).append("%)");
        } else {
            sb.append(compiled).append(" objects compiled");
        }
        sb.append(", ").append(format(elapsed())).append(" elapsed");
        eta().ifPresent(d -> sb.append(", ETA ~").append(format(d)));
        sb.append(", ").append(phase);
        return sb.toString();
    }

    public static String format(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) return s + "s";
        if (s < 3600) return String.format("%dm%02ds", s / 60, s % 60);
        return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}

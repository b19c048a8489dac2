package dev.ktstr.vmm.monitor;

import dev.ktstr.vmm.btf.BtfException;
import java.util.OptionalLong;

/**
 * The sched_ext watchdog timeout in guest memory. Kernels up to 6.15 keep it in the static
 * {@code scx_watchdog_timeout} (jiffies); newer ones in {@code scx_root->watchdog_timeout}.
 * The kernel sets it when a scheduler is enabled (from {@code ops.timeout_ms}), so an override
 * must be written after the scheduler attached: {@link HostMonitor} re-applies it whenever it
 * sees a scheduler enabled with a different value.
 *
 * <p>The kernel's watchdog work was already queued with the old timeout / 2 (15 s for schedulers
 * without {@code timeout_ms}), while {@code scx_tick} checks that work's check-in stamp against
 * the new, shorter timeout: left alone, the scheduler is killed with "watchdog failed to check in"
 * before the work ever runs. {@link #bridge} keeps the stamp fresh until that first run, after
 * which the work requeues itself on the new cadence. Runnable-task stalls are therefore first
 * checked at the old timeout / 2 after enable, then every new timeout / 2.
 */
public final class ScxWatchdog {
    private final GuestKernel kernel;
    private final OptionalLong staticVar;
    private final OptionalLong rootPtr;
    private final long rootFieldOffset;
    private final OptionalLong stamp;      // scx_watchdog_timestamp
    private final OptionalLong workExpires; // &scx_watchdog_work.timer.expires

    private ScxWatchdog(GuestKernel kernel, OptionalLong staticVar, OptionalLong rootPtr, long rootFieldOffset) {
        this.kernel = kernel;
        this.staticVar = staticVar;
        this.rootPtr = rootPtr;
        this.rootFieldOffset = rootFieldOffset;
        OptionalLong st = kernel.symbols().address("scx_watchdog_timestamp");
        OptionalLong work = kernel.symbols().address("scx_watchdog_work");
        OptionalLong exp = OptionalLong.empty();
        if (st.isPresent() && work.isPresent()) {
            try {
                exp = OptionalLong.of(work.getAsLong() + kernel.btf().resolve("delayed_work", "timer.expires").offset());
            } catch (BtfException e) {
                st = OptionalLong.empty();
            }
        }
        this.stamp = exp.isPresent() ? st : OptionalLong.empty();
        this.workExpires = exp;
    }

    /** Locates the variable; {@code Optional.empty()} with {@link #absenceReason} when the kernel has none. */
    public static java.util.Optional<ScxWatchdog> locate(GuestKernel k) {
        OptionalLong root = k.symbols().address("scx_root");
        if (root.isPresent()) {
            try {
                long off = k.btf().resolve("scx_sched", "watchdog_timeout").offset();
                return java.util.Optional.of(new ScxWatchdog(k, OptionalLong.empty(), root, off));
            } catch (BtfException e) {
                // fall through to the static variable
            }
        }
        OptionalLong v = k.symbols().address("scx_watchdog_timeout");
        if (v.isPresent()) return java.util.Optional.of(new ScxWatchdog(k, v, OptionalLong.empty(), 0));
        return java.util.Optional.empty();
    }

    public static String absenceReason() {
        return "the guest kernel has neither scx_root->watchdog_timeout nor scx_watchdog_timeout (no sched_ext?)";
    }

    /** Guest-kernel address of the timeout, or empty if the scheduler it belongs to is not there (scx_root NULL). */
    private OptionalLong address() throws GuestMemoryException {
        if (staticVar.isPresent()) return staticVar;
        long sch = kernel.addressSpace().readU64(rootPtr.getAsLong());
        return sch == 0 ? OptionalLong.empty() : OptionalLong.of(sch + rootFieldOffset);
    }

    public long jiffiesFor(double seconds) {
        return Math.round(seconds * kernel.hz());
    }

    /** Current value in jiffies, empty when no scheduler instance holds it. */
    public OptionalLong readJiffies() throws GuestMemoryException {
        OptionalLong a = address();
        return a.isEmpty() ? OptionalLong.empty() : OptionalLong.of(kernel.addressSpace().readU64(a.getAsLong()));
    }

    /** Writes {@code seconds} as jiffies and returns the value read back. */
    public long write(double seconds) throws GuestMemoryException {
        if (!(seconds > 0)) throw new IllegalArgumentException("watchdog timeout must be positive, got " + seconds + " s");
        OptionalLong a = address();
        if (a.isEmpty()) throw new GuestMemoryException("no sched_ext scheduler is attached (scx_root is NULL): nothing to override yet");
        long pa = kernel.addressSpace().toPhys(a.getAsLong());
        kernel.memory().writeU64(pa, jiffiesFor(seconds));
        return kernel.memory().readU64(pa);
    }

    /**
     * Keeps the watchdog work's check-in stamp fresh while the pending work is due later than the
     * overridden timeout allows (see the class comment). Call every monitor tick while a scheduler
     * is enabled. Returns true if it refreshed the stamp.
     *
     * @param marginJiffies how stale the stamp may get between two calls (the tick period and jitter)
     */
    public boolean bridge(double seconds, long marginJiffies) throws GuestMemoryException {
        if (stamp.isEmpty()) return false;
        KernelAddressSpace as = kernel.addressSpace();
        long want = jiffiesFor(seconds);
        long expires = as.readU64(workExpires.getAsLong());
        long ts = as.readU64(stamp.getAsLong());
        if (expires - ts < want - marginJiffies) return false; // the work runs in time on its own
        long now = as.readU64(kernel.symbols().require("jiffies"));
        kernel.memory().writeU64(as.toPhys(stamp.getAsLong()), now);
        return true;
    }

    /**
     * True if a sched_ext scheduler is enabled (6.12: {@code scx_ops_enable_state_var ==
     * SCX_OPS_ENABLED}; newer: {@code scx_root != NULL}).
     */
    public boolean schedulerEnabled() throws GuestMemoryException {
        if (rootPtr.isPresent()) return kernel.addressSpace().readU64(rootPtr.getAsLong()) != 0;
        OptionalLong state = kernel.symbols().address("scx_ops_enable_state_var");
        if (state.isEmpty()) return true;
        try {
            long enabled = kernel.btf().enumValue("scx_ops_enable_state", "SCX_OPS_ENABLED");
            return (kernel.addressSpace().readU32(state.getAsLong()) & 0xffffffffL) == enabled;
        } catch (BtfException e) {
            return true;
        }
    }
}

package dev.ktstr.vmm.monitor;

/** Receives monitor output as it happens, on the monitor's thread (keep it quick). */
public interface MonitorListener {
    /** Once, when the monitor has attached to the booted guest kernel. */
    default void attached(MonitorLayout layout) {}

    void sample(MonitorSample sample);

    /** A problem that stops or degrades monitoring (the monitor keeps going where it can). */
    default void problem(String message) {}

    MonitorListener NONE = s -> { };
}

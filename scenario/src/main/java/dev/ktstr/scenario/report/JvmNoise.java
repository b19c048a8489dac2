package dev.ktstr.scenario.report;

/**
 * Harness noise inside the worker JVM over the measured loop (deltas between loop start and loop
 * end, from the GarbageCollector and Compilation MXBeans): number of collections, milliseconds spent
 * in collections, milliseconds of JIT compilation. All zero when the worker is not a JVM.
 */
public record JvmNoise(long gcCount, long gcTimeMs, long jitCompileTimeMs) implements java.io.Serializable {
    public static final JvmNoise NONE = new JvmNoise(0, 0, 0);
}

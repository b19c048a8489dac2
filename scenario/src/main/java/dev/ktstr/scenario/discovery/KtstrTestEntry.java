package dev.ktstr.scenario.discovery;

import dev.ktstr.scenario.TestConfig;

/**
 * One discovered {@code @KtstrTest}: where the method is and its resolved config.
 * {@link #name()} is the method name (the spec's test name); {@link #id()} is unique in a suite.
 */
public record KtstrTestEntry(String className, String methodName, TestConfig config) {
    public KtstrTestEntry {
        if (className == null || className.isBlank()) throw new IllegalArgumentException("class name must be set");
        if (methodName == null || methodName.isBlank() || methodName.contains("/") || methodName.contains("\\")) {
            throw new IllegalArgumentException("test name must be non-empty without '/' or '\\', got '" + methodName + "'");
        }
        if (config == null) throw new IllegalArgumentException("config must be set");
    }

    public String name() {
        return methodName;
    }

    /** {@code com.example.MyTests#cpusetSplit}. */
    public String id() {
        return className + "#" + methodName;
    }
}

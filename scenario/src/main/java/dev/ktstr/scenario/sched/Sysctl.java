package dev.ktstr.scenario.sched;

/** A {@code sysctl.<key>=<value>} guest cmdline entry; {@code key} is dotted ({@code kernel.sched_x}). */
public record Sysctl(String key, String value) {
    public Sysctl {
        if (key == null || key.isBlank() || key.contains("=") || key.contains(" ")) {
            throw new IllegalArgumentException("sysctl key must be a dotted name without '=' or spaces, got '" + key + "'");
        }
        if (value == null || value.contains(" ")) throw new IllegalArgumentException("sysctl " + key + " value must be set and contain no spaces");
    }
}

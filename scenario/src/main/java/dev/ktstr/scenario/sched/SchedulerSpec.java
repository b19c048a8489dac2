package dev.ktstr.scenario.sched;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/** How to obtain the scheduler under test (spec §1.3). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = SchedulerSpec.Eevdf.class, name = "eevdf"),
        @JsonSubTypes.Type(value = SchedulerSpec.Discover.class, name = "discover"),
        @JsonSubTypes.Type(value = SchedulerSpec.Path.class, name = "path"),
        @JsonSubTypes.Type(value = SchedulerSpec.KernelBuiltin.class, name = "kernel"),
})
public sealed interface SchedulerSpec {

    /** Name shown in logs, sidecars and failure headers. */
    String displayName();

    /** No scheduler process: the kernel's default class. No monitor thresholds, no auto-repro. */
    record Eevdf() implements SchedulerSpec {
        @Override public String displayName() { return "eevdf"; }
    }

    /** Find the binary by name ({@code KTSTR_SCHEDULER} env, then the scheduler search path). */
    record Discover(String name) implements SchedulerSpec {
        public Discover {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("Discover needs a scheduler binary name");
        }
        @Override public String displayName() { return name; }
    }

    /** An explicit binary on the host (never built). */
    record Path(String path) implements SchedulerSpec {
        public Path {
            if (path == null || path.isBlank()) throw new IllegalArgumentException("Path needs a scheduler binary path");
        }
        @Override public String displayName() { return path; }
    }

    /** An in-kernel policy switched by shell commands run in the guest before / after the scenario. */
    record KernelBuiltin(List<String> enable, List<String> disable) implements SchedulerSpec {
        public KernelBuiltin {
            enable = enable == null ? List.of() : List.copyOf(enable);
            disable = disable == null ? List.of() : List.copyOf(disable);
        }
        @Override public String displayName() { return "kernel"; }
    }
}

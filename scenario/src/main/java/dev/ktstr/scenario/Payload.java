package dev.ktstr.scenario;

import java.util.List;

/**
 * A binary run by the scenario next to the workers (Op RunPayload / WaitPayload / KillPayload).
 * {@code binary} is an absolute guest path or a name on the guest PATH; {@code defaultArgs} come
 * before per-op args. Minimal on purpose: the full payload model (spec §1.4, output checks, metrics)
 * is a later issue.
 */
public record Payload(String name, String binary, List<String> defaultArgs) {
    public Payload {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("payload needs a name");
        if (binary == null || binary.isBlank()) throw new IllegalArgumentException("payload '" + name + "' needs a binary");
        defaultArgs = defaultArgs == null ? List.of() : List.copyOf(defaultArgs);
    }

    public static Payload of(String name, String binary, String... defaultArgs) {
        return new Payload(name, binary, List.of(defaultArgs));
    }
}

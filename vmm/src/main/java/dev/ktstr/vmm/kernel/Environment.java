package dev.ktstr.vmm.kernel;

import java.util.Map;
import java.util.Optional;

/** Environment-variable lookup, injectable so discovery and cache-root logic can be unit tested. */
@FunctionalInterface
public interface Environment {

    /** The raw value, or empty when unset. */
    Optional<String> raw(String name);

    /** The value when set and not blank (blank variables are treated as unset, as a shell user expects). */
    default Optional<String> get(String name) {
        return raw(name).filter(v -> !v.isBlank());
    }

    static Environment system() {
        return name -> Optional.ofNullable(System.getenv(name));
    }

    static Environment of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return name -> Optional.ofNullable(copy.get(name));
    }
}

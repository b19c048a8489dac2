package dev.ktstr.scenario.runtime;

/** A backend operation failed; the message names what and how to fix it. */
public class ScenarioBackendException extends RuntimeException {
    public ScenarioBackendException(String message) {
        super(message);
    }

    public ScenarioBackendException(String message, Throwable cause) {
        super(message, cause);
    }
}

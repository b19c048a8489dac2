package dev.ktstr.scenario.runtime;

/** A binary payload process started by {@link ScenarioBackend#runPayload}. */
public interface PayloadHandle {

    int pid();

    /** The payload name ({@link dev.ktstr.scenario.Payload#name()}). */
    String name();

    /** Cgroup it runs in, relative to the harness root ({@code ""} = root). */
    String cgroup();
}

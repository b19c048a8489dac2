package dev.ktstr.guest.worker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start a worker host JVM. Defaults reuse the running JVM's java binary and class path, with
 * the guest flags (C1 only, Serial GC, no perf data, small heap) and VM messages on stderr so
 * stdout carries only the host protocol.
 */
public record WorkerCommand(String javaBin, List<String> jvmFlags, String classPath) {
    public static final List<String> DEFAULT_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
            "-Xms16m", "-Xmx128m", "-Xss512k", "-XX:+DisplayVMOutputToStderr");

    public WorkerCommand {
        jvmFlags = List.copyOf(jvmFlags);
    }

    /** Same java and class path as this JVM; JNA settings are passed through. */
    public static WorkerCommand fromCurrentJvm() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> flags = new ArrayList<>(DEFAULT_FLAGS);
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("jna.") && !key.equals("jna.boot.library.path")) flags.add("-D" + key + "=" + System.getProperty(key));
        }
        String boot = System.getProperty("jna.boot.library.path");
        if (boot == null) boot = JnaNative.extractOnce();
        if (boot != null) flags.add("-Djna.boot.library.path=" + boot);
        String aot = System.getenv("KTSTR_WORKER_AOT");
        if (aot != null && !aot.isBlank()) flags.add("-XX:AOTCache=" + aot);
        return new WorkerCommand(java, flags, System.getProperty("java.class.path"));
    }

    /** The host reads its launch from stdin, so the same command starts a host ahead of need. */
    public List<String> argv() {
        List<String> a = new ArrayList<>();
        a.add(javaBin);
        a.addAll(jvmFlags);
        a.add("-cp");
        a.add(classPath);
        a.add(WorkerHostMain.class.getName());
        return a;
    }
}

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

    /** {@code nice} when this JVM runs as root and one is on the usual paths, else null. */
    static final String WARM_UP_NICE = "root".equals(System.getProperty("user.name"))
            ? java.util.stream.Stream.of("/bin/nice", "/usr/bin/nice").filter(p -> java.nio.file.Files.isExecutable(Path.of(p))).findFirst().orElse(null)
            : null;

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

    /**
     * The host reads its launch from stdin, so the same command starts a host ahead of need. It
     * starts at nice 10 (as root, where it can go back): a host warming up ahead of need must not
     * slow the agent's own setup, which is the critical path then; the host's main thread returns
     * to nice 0 before it creates any worker thread, and each worker sets its spec's nice itself.
     */
    public List<String> argv() {
        List<String> a = new ArrayList<>();
        if (WARM_UP_NICE != null) a.addAll(List.of(WARM_UP_NICE, "-n", "10"));
        a.add(javaBin);
        a.addAll(jvmFlags);
        a.add("-cp");
        a.add(classPath);
        a.add(WorkerHostMain.class.getName());
        return a;
    }
}

package dev.ktstr.protocol.guest;

import java.util.List;

/**
 * How the guest agent's JVM is started: one definition the host writes into the initramfs
 * ({@link #FLAGS_FILE}, {@link #CLASSPATH_FILE}, read by agent-start) and trains the AOT cache with,
 * so flags and classpath in the guest are exactly the trained ones.
 */
public final class GuestJvm {
    /** C1 only, Serial GC, no perf data, small heap: the cheapest start under emulation. */
    public static final List<String> AGENT_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
            "-Xms32m", "-Xmx192m", "-Xss512k", "-Djna.nosys=true", "-Djna.tmpdir=/tmp");
    public static final String FLAGS_FILE = "/ktstr/jvm.flags";
    /** Relative to /ktstr, where agent-start runs the JVM: the AOT cache was trained with the same relative path. */
    public static final String CLASSPATH_FILE = "/ktstr/classpath";
    /** The AOT training entry point (guest-agent's GuestTraining, named here because the host never loads guest classes). */
    public static final String TRAINING_MAIN = "dev.ktstr.guest.agent.GuestTraining";

    private GuestJvm() {}

    /** {@code lib/a.jar:lib/b.jar} for jars placed in /ktstr/lib, guest jar first. */
    public static String classpath(List<String> jarNames) {
        return String.join(":", jarNames.stream().map(n -> "lib/" + n).toList());
    }
}

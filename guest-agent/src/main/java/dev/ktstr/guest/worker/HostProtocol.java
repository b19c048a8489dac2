package dev.ktstr.guest.worker;

/**
 * The line protocol between the agent and a worker host process. HotSpot may print its own
 * warnings on stdout, so the agent looks for these prefixes rather than taking every line as a
 * message. {@code idx} is the worker's position in the host's {@link HostLaunch}.
 * <pre>
 *   host stdout:  KTSTR-HOST pid uptimeMs mainMs   JVM up and warmed (JVM uptime now, and when main ran), waiting for a launch
 *                 KTSTR-READY idx tid uptimeMs       worker prepared (loop built, thread named), waiting for release
 *                 KTSTR-REPORT idx {json}            the worker's final WorkerReport, one line
 *                 KTSTR-FAILED idx text              worker idx (-1: the host) could not start or set up
 *                 KTSTR-WATCHDOG idx tid gapMs cpu thresholdMs uptimeMs   the worker signalled the scheduler
 *   agent stdin:  /path/to/launch.json               the first line: what to run
 *                 G idx                              release worker idx (after the host was placed in its cgroup)
 *                 S idx                              stop worker idx
 *                 end of stream                      stop every worker
 * </pre>
 */
public final class HostProtocol {
    public static final String HOST = "KTSTR-HOST ";
    public static final String READY = "KTSTR-READY ";
    public static final String REPORT = "KTSTR-REPORT ";
    public static final String FAILED = "KTSTR-FAILED ";
    public static final String WATCHDOG = "KTSTR-WATCHDOG ";
    public static final char RELEASE = 'G';
    public static final char STOP = 'S';

    private HostProtocol() {}
}

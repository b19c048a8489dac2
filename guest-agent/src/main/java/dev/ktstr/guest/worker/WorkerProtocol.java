package dev.ktstr.guest.worker;

/**
 * The line protocol between the agent and a worker process. HotSpot may print its own warnings
 * on stdout, so the agent looks for these prefixes rather than taking every line as a message.
 * <pre>
 *   worker stdout:  KTSTR-READY pid       loop prepared, waiting for release
 *                   KTSTR-REPORT {json}   final WorkerReport, one line
 *                   KTSTR-FAILED text     could not prepare or set up
 *   agent  stdin:   'G'                   release (after the pid was placed in its cgroup)
 *                   'S' or end of stream  stop
 * </pre>
 */
public final class WorkerProtocol {
    public static final String READY = "KTSTR-READY ";
    public static final String REPORT = "KTSTR-REPORT ";
    public static final String FAILED = "KTSTR-FAILED ";
    public static final int RELEASE = 'G';
    public static final int STOP = 'S';

    private WorkerProtocol() {}
}

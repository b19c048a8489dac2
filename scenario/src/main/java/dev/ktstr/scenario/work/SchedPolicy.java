package dev.ktstr.scenario.work;

/**
 * Linux scheduling policy applied by the worker to itself before its loop. {@code priority} is the
 * real-time priority 1..99 for FIFO and ROUND_ROBIN, 0 otherwise. RT needs CAP_SYS_NICE.
 */
public record SchedPolicy(Kind kind, int priority) implements java.io.Serializable {

    public enum Kind {
        NORMAL(0), FIFO(1), ROUND_ROBIN(2), BATCH(3), IDLE(5);

        /** The {@code SCHED_*} constant for sched_setscheduler. */
        public final int linuxPolicy;

        Kind(int linuxPolicy) {
            this.linuxPolicy = linuxPolicy;
        }
    }

    public static final SchedPolicy NORMAL = new SchedPolicy(Kind.NORMAL, 0);
    public static final SchedPolicy BATCH = new SchedPolicy(Kind.BATCH, 0);
    public static final SchedPolicy IDLE = new SchedPolicy(Kind.IDLE, 0);

    public SchedPolicy {
        if (kind == null) throw new IllegalArgumentException("scheduling policy kind must be set");
        boolean rt = kind == Kind.FIFO || kind == Kind.ROUND_ROBIN;
        if (rt && (priority < 1 || priority > 99)) {
            throw new IllegalArgumentException(kind + " priority must be 1..99, got " + priority);
        }
        if (!rt && priority != 0) {
            throw new IllegalArgumentException(kind + " takes no priority, got " + priority);
        }
    }

    public static SchedPolicy normal() { return NORMAL; }
    public static SchedPolicy batch() { return BATCH; }
    public static SchedPolicy idle() { return IDLE; }
    public static SchedPolicy fifo(int priority) { return new SchedPolicy(Kind.FIFO, priority); }
    public static SchedPolicy roundRobin(int priority) { return new SchedPolicy(Kind.ROUND_ROBIN, priority); }
}

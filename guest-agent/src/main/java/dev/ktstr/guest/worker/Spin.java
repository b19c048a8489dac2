package dev.ktstr.guest.worker;

/** The unit of CPU work: one LCG step. The result is published to a static so the JIT keeps the loop. */
final class Spin {
    static long sink = 1;

    private Spin() {}

    /** Does {@code n} spin steps and returns {@code n} (the work units done). */
    static int steps(int n) {
        long x = sink;
        for (int i = 0; i < n; i++) x = x * 6364136223846793005L + 1442695040888963407L;
        sink = x;
        return n;
    }
}

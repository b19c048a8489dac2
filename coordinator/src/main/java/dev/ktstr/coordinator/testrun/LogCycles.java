package dev.ktstr.coordinator.testrun;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Spec §10.9's cycle collapse of a scheduler log: a block of at least {@value #MIN_BLOCK} lines
 * repeated at least {@value #MIN_REPEATS} times in a row is shown as its first iteration, a line
 * {@code ... N identical iterations omitted ...}, and its last iteration; up to {@value #PASSES}
 * passes, so a cycle of cycles collapses too. A scheduler stuck in a loop prints the same stats
 * block hundreds of times, and the report has room for the lines around it.
 */
public final class LogCycles {
    static final int MIN_BLOCK = 5;
    static final int MIN_REPEATS = 3;
    static final int PASSES = 5;
    /** Longest block looked for: a stats block is tens of lines, and longer blocks make the search quadratic for nothing. */
    static final int MAX_BLOCK = 200;

    private LogCycles() {}

    public static String collapse(String text) {
        if (text == null || text.isEmpty()) return text;
        List<String> lines = Arrays.asList(text.split("\n", -1));
        for (int pass = 0; pass < PASSES; pass++) {
            List<String> next = collapseOnce(lines);
            if (next.size() == lines.size()) break;
            lines = next;
        }
        return String.join("\n", lines);
    }

    static List<String> collapseOnce(List<String> in) {
        List<String> out = new ArrayList<>(in.size());
        int i = 0;
        int n = in.size();
        while (i < n) {
            int bestLen = 0;
            int bestReps = 0;
            for (int len = MIN_BLOCK; len <= MAX_BLOCK && i + len * MIN_REPEATS <= n; len++) {
                int reps = 1;
                while (i + (reps + 1) * len <= n && sameBlock(in, i, i + reps * len, len)) reps++;
                if (reps >= MIN_REPEATS && reps * len > bestReps * bestLen) {
                    bestLen = len;
                    bestReps = reps;
                }
            }
            if (bestReps == 0) {
                out.add(in.get(i++));
                continue;
            }
            out.addAll(in.subList(i, i + bestLen));
            out.add("... " + (bestReps - 2) + " identical iterations omitted ...");
            out.addAll(in.subList(i + (bestReps - 1) * bestLen, i + bestReps * bestLen));
            i += bestReps * bestLen;
        }
        return out;
    }

    private static boolean sameBlock(List<String> l, int a, int b, int len) {
        for (int k = 0; k < len; k++) if (!l.get(a + k).equals(l.get(b + k))) return false;
        return true;
    }
}

package dev.ktstr.results.stats;

import dev.ktstr.results.LoadProblem;
import dev.ktstr.results.LoadResult;
import dev.ktstr.results.LoadedSidecar;
import dev.ktstr.results.RunDir;
import dev.ktstr.results.RunStore;
import dev.ktstr.protocol.sidecar.HostContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** {@code ktstr stats list}: one line per run, newest first. */
public final class RunListing {
    private RunListing() {}

    public static String render(RunStore store) throws IOException {
        List<RunDir> runs = store.runs();
        if (runs.isEmpty()) {
            return "no runs under " + store.root() + " (run tests first, or pass --runs-dir / set KTSTR_RUNS_DIR)\n";
        }
        StringBuilder sb = new StringBuilder();
        String fmt = "%-48s %6s %6s %6s %6s  %-20s %-8s %s%n";
        sb.append(String.format(Locale.ROOT, fmt, "RUN", "TESTS", "PASS", "FAIL", "SKIP", "DATE", "ARCH", "KERNEL/COMMIT"));
        List<LoadProblem> problems = new ArrayList<>();
        for (RunDir r : runs) {
            LoadResult lr = r.load();
            problems.addAll(lr.problems());
            List<LoadedSidecar> s = lr.sidecars();
            long pass = s.stream().filter(x -> x.sidecar().passed() && !x.sidecar().skipped()).count();
            long skip = s.stream().filter(x -> x.sidecar().skipped()).count();
            long fail = s.size() - pass - skip;
            String date = s.stream().map(x -> x.sidecar().timestamp()).filter(Objects::nonNull).sorted().findFirst()
                    .orElse(r.createdAt().toString());
            String arch = s.stream().map(x -> x.sidecar().host()).filter(Objects::nonNull).map(HostContext::arch)
                    .filter(Objects::nonNull).findFirst().orElse("-");
            sb.append(String.format(Locale.ROOT, fmt, r.id(), lr.walked(), pass, fail, skip,
                    date.length() > 20 ? date.substring(0, 19) + "Z" : date, arch,
                    r.meta().kernel() + "/" + (r.meta().commit() == null ? "unknown" : r.meta().commit())));
        }
        if (!problems.isEmpty()) {
            // TESTS counted these files, PASS/FAIL/SKIP could not: name each and say why
            sb.append('\n').append(problems.size()).append(" file(s) could not be read, skipped"
                    + " (details: `ktstr stats explain-sidecar --run ID`):\n");
            problems.forEach(p -> sb.append("  ").append(p.message()).append('\n'));
        }
        return sb.toString();
    }
}

package dev.ktstr.results;

import java.util.ArrayList;
import java.util.List;

/** Sidecars read from one or more runs, plus every file that could not be read and why. */
public record LoadResult(List<LoadedSidecar> sidecars, List<LoadProblem> problems, int walked) {
    public LoadResult {
        sidecars = List.copyOf(sidecars);
        problems = List.copyOf(problems);
    }

    public static LoadResult concat(List<LoadResult> parts) {
        List<LoadedSidecar> s = new ArrayList<>();
        List<LoadProblem> p = new ArrayList<>();
        int w = 0;
        for (LoadResult r : parts) {
            s.addAll(r.sidecars());
            p.addAll(r.problems());
            w += r.walked();
        }
        return new LoadResult(s, p, w);
    }
}

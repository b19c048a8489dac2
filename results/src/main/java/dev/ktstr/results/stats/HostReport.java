package dev.ktstr.results.stats;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ktstr.results.LoadResult;
import dev.ktstr.results.LoadedSidecar;
import dev.ktstr.protocol.sidecar.SidecarCodec;
import java.util.Optional;

/** {@code ktstr stats show-host}: the first populated host context of a run, then the files it could not read. */
public final class HostReport {
    private HostReport() {}

    public static Optional<String> render(LoadResult run) {
        for (LoadedSidecar s : run.sidecars()) {
            if (s.sidecar().host() != null) {
                JsonNode n = SidecarCodec.mapper().valueToTree(s.sidecar().host());
                StringBuilder sb = new StringBuilder("host of " + s.runId() + " (from " + s.path().getFileName() + "):\n");
                n.properties().forEach(e -> {
                    if (e.getValue().isObject()) {
                        sb.append(String.format("  %-18s%n", e.getKey() + ":"));
                        e.getValue().properties().forEach(c -> sb.append(String.format("    %-40s %s%n", c.getKey(), c.getValue().asText())));
                    } else {
                        sb.append(String.format("  %-18s %s%n", e.getKey() + ":", e.getValue().isNull() ? "(unknown)" : e.getValue().asText()));
                    }
                });
                ValueListing.problems(sb, run);
                return Optional.of(sb.toString());
            }
        }
        return Optional.empty();
    }
}

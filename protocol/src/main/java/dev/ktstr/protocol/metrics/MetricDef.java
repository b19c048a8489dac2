package dev.ktstr.protocol.metrics;

import dev.ktstr.protocol.sidecar.Sidecar;
import java.util.function.Function;

/**
 * One comparable metric of a sidecar.
 *
 * @param defaultAbs absolute gate: a change smaller than this is never significant (not configurable)
 * @param defaultRel relative gate as a fraction (0.25 = 25 %), overridable by --threshold / --policy
 * @param fromHistogram true when {@code stats compare} recomputes it from merged wake-latency histograms
 * @param extractor the value in a sidecar, or null when the sidecar does not have it (no stats, no monitor)
 */
public record MetricDef(String name, Polarity polarity, double defaultAbs, double defaultRel, String unit,
                        String description, boolean fromHistogram, Function<Sidecar, Double> extractor) {

    public Double valueOf(Sidecar s) {
        return extractor.apply(s);
    }
}

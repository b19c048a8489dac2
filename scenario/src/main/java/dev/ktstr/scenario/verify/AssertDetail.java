package dev.ktstr.scenario.verify;

/** One finding: its kind and the human-readable message shown in failure reports. */
public record AssertDetail(DetailKind kind, String message) {
    public AssertDetail {
        if (kind == null) kind = DetailKind.OTHER;
        if (message == null) message = "";
    }
}

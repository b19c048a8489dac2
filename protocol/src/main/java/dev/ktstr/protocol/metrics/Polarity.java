package dev.ktstr.protocol.metrics;

/** Which direction of change is an improvement. */
public enum Polarity {
    LOWER_IS_BETTER("lower"),
    HIGHER_IS_BETTER("higher");

    private final String label;

    Polarity(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** True when moving from {@code a} to {@code b} makes this metric worse. */
    public boolean isRegression(double a, double b) {
        return this == LOWER_IS_BETTER ? b > a : b < a;
    }
}

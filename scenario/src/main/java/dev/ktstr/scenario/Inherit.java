package dev.ktstr.scenario;

/** A boolean annotation attribute that can be left unset (annotations cannot hold null). */
public enum Inherit {
    /** Not set: inherit from the scheduler / defaults. */
    UNSET,
    TRUE,
    FALSE;

    /** {@code null} for UNSET. */
    public Boolean value() {
        return switch (this) {
            case UNSET -> null;
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
        };
    }
}

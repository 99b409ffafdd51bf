package dev.runwire.api.callback;

/**
 * Whose read shape a run's callbacks take, stored with the run (its {@code surface} column): the runs API's, or
 * Zapier's Actions API's for a stored action's run or a one-off run.
 */
public enum DeliverySurface {

    /** The runs API: callbacks at every end of the run and at its pauses (approval, connection). */
    NATIVE("native"),
    /** Zapier's Actions API, a stored action's run. */
    ZAPIER_STORED("zapier_stored"),
    /** Zapier's Actions API, a one-off action run. */
    ZAPIER_ONE_OFF("zapier_run");

    private final String column;

    DeliverySurface(String column) {
        this.column = column;
    }

    /** The value stored in {@code api.runs.surface}. */
    public String column() {
        return column;
    }

    /** The surface stored as {@code column}; the runs API's for a value no surface has. */
    public static DeliverySurface of(String column) {
        for (DeliverySurface surface : values()) {
            if (surface.column.equals(column)) {
                return surface;
            }
        }
        return NATIVE;
    }
}

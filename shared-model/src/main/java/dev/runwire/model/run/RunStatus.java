package dev.runwire.model.run;

/** Status of a run, as the public API reports it. */
public enum RunStatus {
    QUEUED, RUNNING, AUTH_REQUIRED, PAUSED, CANCELED, NO_SUCCESS, PARTIAL_SUCCESS, SUCCESS, FAILED;

    /** Whether the run can no longer change. */
    public boolean isTerminal() {
        return switch (this) {
        case CANCELED, NO_SUCCESS, PARTIAL_SUCCESS, SUCCESS, FAILED -> true;
        default -> false;
        };
    }
}

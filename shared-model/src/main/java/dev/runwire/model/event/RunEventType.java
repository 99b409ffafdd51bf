package dev.runwire.model.event;

/** What happened to a run. Each terminal type names the status the run ended in. */
public enum RunEventType {
    RUN_STARTED, RUN_APPROVAL_REQUESTED, RUN_APPROVED, RUN_PAUSED, RUN_AUTH_REQUIRED, STEP_AUTH_REQUIRED,
    STEP_CONNECTED, STEP_AWAITING_RESULT, STEP_APPROVAL_REQUESTED, STEP_APPROVED, STEP_DENIED, STEP_STARTED,
    STEP_RETRYING, STEP_OUTCOME_UNKNOWN, STEP_SUCCEEDED, STEP_FAILED, STEP_SKIPPED, STEP_CANCELED, RUN_SUCCEEDED,
    RUN_PARTIAL_SUCCESS, RUN_NO_SUCCESS, RUN_FAILED, RUN_CANCELED;

    /** Whether this event ends the run. */
    public boolean isTerminal() {
        return switch (this) {
        case RUN_SUCCEEDED, RUN_PARTIAL_SUCCESS, RUN_NO_SUCCESS, RUN_FAILED, RUN_CANCELED -> true;
        default -> false;
        };
    }
}

package dev.runwire.model.event;

/** What happened to a run. */
public enum RunEventType {
    RUN_STARTED, STEP_STARTED, STEP_SUCCEEDED, STEP_FAILED, RUN_SUCCEEDED, RUN_FAILED;

    /** Whether this event ends the run. */
    public boolean isTerminal() {
        return this == RUN_SUCCEEDED || this == RUN_FAILED;
    }
}

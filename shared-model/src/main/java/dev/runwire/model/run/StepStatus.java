package dev.runwire.model.run;

/**
 * Where one step of a run stands. The executor stores it with the run's state (by name) and moves it only through
 * {@link StepStateMachine}. See docs/adr/0031-executor-run-actor-and-step-status.md.
 */
public enum StepStatus {
    /** Not started: its dependencies have not all succeeded yet, or it waits for its turn. */
    PENDING,
    /** Its call waits for a person to approve it (the run's {@code on_tool_call} approval strategy). */
    AWAITING_APPROVAL,
    /** Its integration has no usable account: it waits for its user to connect one (AUTH_REQUIRED). */
    AWAITING_CONNECTION,
    /** Its action is carried out by the caller: it waits for the reported result. */
    AWAITING_RESULT,
    /**
     * Its call may have reached the provider but no answer came (a timeout, a connection lost after the request was
     * sent), and calling again could repeat a side effect: it waits for its caller to say how it ended (ADR 0035).
     */
    OUTCOME_UNKNOWN,
    /** Its call is in flight (or about to be made again after a restart or a retry's back-off). */
    RUNNING, SUCCEEDED, FAILED,
    /** It never ran: a dependency did not succeed, it was denied, or the run ended before it could start. */
    SKIPPED,
    /** The run was aborted (or expired) while the step was under way. */
    CANCELED;

    /** Whether the steps that depend on this one can never run. */
    public boolean blocksDependents() {
        return this == FAILED || this == SKIPPED || this == CANCELED;
    }

    /** Whether the step has reached an end: it never moves again. */
    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == SKIPPED || this == CANCELED;
    }
}

package dev.runwire.model.trace;

/**
 * The names both services give a run in their traces and logs (docs/adr/0041): span attributes and MDC keys. A span or
 * a log line names the run and its owner, never a header, a body or a credential.
 */
public final class RunTelemetry {

    /** Span attribute: the run's id. */
    public static final String RUN_ID_ATTRIBUTE = "runwire.run.id";
    /** Span attribute: the id of the owner (tenant) the run belongs to. */
    public static final String OWNER_ID_ATTRIBUTE = "runwire.owner.id";
    /** Span attribute: a plan step's id. */
    public static final String STEP_ID_ATTRIBUTE = "runwire.step.id";
    /** Span attribute: the key of the action a step calls. */
    public static final String ACTION_KEY_ATTRIBUTE = "runwire.action.key";

    /** MDC key of the run's id (text log: {@code run=}; JSON log: field {@code runId}). */
    public static final String RUN_ID_MDC = "runId";
    /** MDC key of the owner's id. */
    public static final String OWNER_ID_MDC = "ownerId";

    private RunTelemetry() {
    }
}

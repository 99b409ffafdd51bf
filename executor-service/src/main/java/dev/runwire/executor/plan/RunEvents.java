package dev.runwire.executor.plan;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunStatus;

/**
 * The events a run emits, one named factory per kind, each with only what that kind carries. A factory makes a
 * {@link Draft}; {@link Changes#emit} numbers it and stamps it with the run's status and the time, so the order of
 * events and the status each one reports are decided in one place.
 */
public final class RunEvents {

    private RunEvents() {
    }

    /** An event not numbered yet: what happened, to which step, with what. */
    public record Draft(RunEventType type, PlanStep step, JsonNode input, JsonNode output, RunError error,
            RunEvent.ApprovalLinks approval, RunRequested.Connection connect, JsonNode expects) {

        /** The event as the {@code seq}-th of the run, which is in {@code status} after it. */
        public RunEvent numbered(UUID runId, long seq, RunStatus status, Instant at) {
            return new RunEvent(RunEvent.idFor(runId, seq), runId, seq, type, step == null ? null : step.stepId(),
                    step == null ? null : step.description(), at, status, input, output, error, approval, connect,
                    expects);
        }
    }

    private static Draft run(RunEventType type, JsonNode output, RunError error, RunEvent.ApprovalLinks approval) {
        return new Draft(type, null, null, output, error, approval, null, null);
    }

    private static Draft step(RunEventType type, PlanStep step, JsonNode input, JsonNode output, RunError error) {
        return new Draft(type, step, input, output, error, null, null, null);
    }

    public static Draft runStarted() {
        return run(RunEventType.RUN_STARTED, null, null, null);
    }

    /** The run's start waits for an approval (the {@code on_start} strategy). */
    public static Draft runApprovalRequested(RunEvent.ApprovalLinks links) {
        return run(RunEventType.RUN_APPROVAL_REQUESTED, null, null, links);
    }

    public static Draft runApproved() {
        return run(RunEventType.RUN_APPROVED, null, null, null);
    }

    /** Nothing runs: the run waits for approvals. */
    public static Draft runPaused() {
        return run(RunEventType.RUN_PAUSED, null, null, null);
    }

    /** Nothing runs: the run waits for its user to connect an account. */
    public static Draft runAuthRequired() {
        return run(RunEventType.RUN_AUTH_REQUIRED, null, null, null);
    }

    /** The run ended in {@code status} (a terminal one), with its result or its error. */
    public static Draft runFinished(RunStatus status, JsonNode result, RunError error) {
        return run(terminal(status), result, error, null);
    }

    public static Draft runFailed(RunError error) {
        return run(RunEventType.RUN_FAILED, null, error, null);
    }

    public static Draft runCanceled(RunError error) {
        return run(RunEventType.RUN_CANCELED, null, error, null);
    }

    /** The step's call starts with this exact input. */
    public static Draft stepStarted(PlanStep step, JsonNode input) {
        return step(RunEventType.STEP_STARTED, step, input, null, null);
    }

    public static Draft stepSucceeded(PlanStep step, JsonNode output) {
        return step(RunEventType.STEP_SUCCEEDED, step, null, output, null);
    }

    public static Draft stepFailed(PlanStep step, RunError error) {
        return step(RunEventType.STEP_FAILED, step, null, null, error);
    }

    public static Draft stepSkipped(PlanStep step, RunError error) {
        return step(RunEventType.STEP_SKIPPED, step, null, null, error);
    }

    public static Draft stepCanceled(PlanStep step, RunError error) {
        return step(RunEventType.STEP_CANCELED, step, null, null, error);
    }

    /** An attempt failed in a way that may pass; the error says when the next one is made. */
    public static Draft stepRetrying(PlanStep step, RunError error) {
        return step(RunEventType.STEP_RETRYING, step, null, null, error);
    }

    /**
     * The step's call may have reached the integration and may not be repeated: it waits to be resolved, with the input
     * that was sent and the output schema a {@code succeeded} resolution must match.
     */
    public static Draft stepOutcomeUnknown(PlanStep step, JsonNode input, RunError error, JsonNode expects) {
        return new Draft(RunEventType.STEP_OUTCOME_UNKNOWN, step, input, null, error, null, null, expects);
    }

    /** The step's call waits for a decision about this input. */
    public static Draft stepApprovalRequested(PlanStep step, JsonNode input, RunEvent.ApprovalLinks links) {
        return new Draft(RunEventType.STEP_APPROVAL_REQUESTED, step, input, null, null, links, null, null);
    }

    /** The step was approved with this input (maybe edited). */
    public static Draft stepApproved(PlanStep step, JsonNode input) {
        return step(RunEventType.STEP_APPROVED, step, input, null, null);
    }

    public static Draft stepDenied(PlanStep step, JsonNode input, RunError error) {
        return step(RunEventType.STEP_DENIED, step, input, null, error);
    }

    /** The step waits for a connection to an integration, and says where to make it. */
    public static Draft stepAuthRequired(PlanStep step, JsonNode input, RunError error,
            RunRequested.Connection connection) {
        return new Draft(RunEventType.STEP_AUTH_REQUIRED, step, input, null, error, null, connection, null);
    }

    /** A connection the step waited for came: it is ready again. */
    public static Draft stepConnected(PlanStep step) {
        return step(RunEventType.STEP_CONNECTED, step, null, null, null);
    }

    /** The step's caller carries the action out: it waits for a result matching {@code expects}. */
    public static Draft stepAwaitingResult(PlanStep step, JsonNode input, JsonNode expects) {
        return new Draft(RunEventType.STEP_AWAITING_RESULT, step, input, null, null, null, null, expects);
    }

    /** The event that ends a run in a terminal status. */
    public static RunEventType terminal(RunStatus status) {
        return switch (status) {
        case SUCCESS -> RunEventType.RUN_SUCCEEDED;
        case PARTIAL_SUCCESS -> RunEventType.RUN_PARTIAL_SUCCESS;
        case NO_SUCCESS -> RunEventType.RUN_NO_SUCCESS;
        case CANCELED -> RunEventType.RUN_CANCELED;
        default -> RunEventType.RUN_FAILED;
        };
    }
}

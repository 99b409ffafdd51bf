package dev.runwire.executor.step;

import dev.runwire.executor.credential.RunCredentials;
import dev.runwire.executor.integration.StepOutcome;
import dev.runwire.executor.plan.Changes;
import dev.runwire.executor.plan.PlanScheduler;
import dev.runwire.executor.plan.PlanState.Step;
import dev.runwire.executor.plan.RunEvents;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.StepStatus;

/**
 * What a call's outcome does to its step: success stores the output; refused credentials make the step wait for a new
 * connection; a failure that may pass is tried again within the retry policy ({@link Retries}); a call of an action
 * that may not be repeated and that may have reached its provider leaves the step's outcome unknown (ADR 0035); any
 * other failure fails the step. The plan then goes on ({@link PlanScheduler#advance}).
 */
public final class StepOutcomes {

    private final PlanScheduler scheduler;
    private final RunCredentials credentials;

    public StepOutcomes(PlanScheduler scheduler, RunCredentials credentials) {
        this.scheduler = scheduler;
        this.credentials = credentials;
    }

    /**
     * Applies the outcome of the step's call.
     *
     * @return false when it changed nothing: the run ended, or the step no longer runs (it was cancelled)
     */
    public boolean apply(Changes changes, PlanStep step, StepOutcome outcome) {
        if (changes.run().status().isTerminal() || changes.plan().step(step.stepId()).status() != StepStatus.RUNNING) {
            return false;
        }
        if (outcome.succeeded()) {
            changes.step(step.stepId(), new Step(StepStatus.SUCCEEDED, null, outcome.output(), null));
            changes.emit(RunEvents.stepSucceeded(step, outcome.output()));
        } else if (Codes.CREDENTIALS_INVALID.equals(outcome.error().code())) {
            credentials.refused(changes, step, outcome.error());
        } else {
            Step current = changes.plan().step(step.stepId());
            switch (Retries.decide(step.action().safety(), outcome, current.attempts(), step.action().maxAttempts())) {
            case RETRY -> Retries.retryLater(changes, step, outcome.error());
            case OUTCOME_UNKNOWN -> outcomeUnknown(changes, step, current, outcome.error());
            default -> scheduler.failStep(changes, step, outcome.error());
            }
        }
        scheduler.advance(changes);
        return true;
    }

    /**
     * The call may have had its effect and must not be made again: the step waits, with its input, for its caller to
     * say how it ended (the run then pauses, as nothing runs). The event says why and how to resolve it.
     */
    private static void outcomeUnknown(Changes changes, PlanStep step, Step current, RunError cause) {
        RunError error = new RunError(Codes.OUTCOME_UNKNOWN,
                cause.message()
                        + "; the request may have reached the integration and the action may not be repeated (it is not"
                        + " idempotent and its provider does not honour the Idempotency-Key): resolve the step with"
                        + " POST /v1/runs/{runId}/resolve",
                cause.httpStatus(), null);
        changes.step(step.stepId(),
                new Step(StepStatus.OUTCOME_UNKNOWN, current.input(), null, error, current.attempt()));
        changes.emit(RunEvents.stepOutcomeUnknown(step, current.input(), error, step.action().outputSchema()));
    }
}

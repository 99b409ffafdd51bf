package dev.runwire.executor.step;

import dev.runwire.executor.credential.RunCredentials;
import dev.runwire.executor.integration.StepOutcome;
import dev.runwire.executor.plan.Changes;
import dev.runwire.executor.plan.PlanScheduler;
import dev.runwire.executor.plan.PlanState.Step;
import dev.runwire.executor.plan.RunEvents;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.StepStatus;

/**
 * What a call's outcome does to its step: success stores the output; refused credentials make the step wait for a new
 * connection; a failure that may pass is tried again within the retry policy ({@link Retries}); any other failure fails
 * the step. The plan then goes on ({@link PlanScheduler#advance}).
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
        } else if (!Retries.retryLater(changes, step, outcome.error())) {
            scheduler.failStep(changes, step, outcome.error());
        }
        scheduler.advance(changes);
        return true;
    }
}

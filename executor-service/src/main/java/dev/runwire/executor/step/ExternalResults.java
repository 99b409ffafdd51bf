package dev.runwire.executor.step;

import java.util.List;

import org.jboss.logging.Logger;

import dev.runwire.executor.integration.ActionSchemas;
import dev.runwire.executor.integration.Violations;
import dev.runwire.executor.plan.Changes;
import dev.runwire.executor.plan.PlanScheduler;
import dev.runwire.executor.plan.PlanState.Step;
import dev.runwire.executor.plan.RunEvents;
import dev.runwire.executor.plan.RunState;
import dev.runwire.model.command.OutcomeResolved;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.StepResultReported;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.StepStatus;
import dev.runwire.model.schema.Violation;

/**
 * Results of actions their caller carries out (an agent's own tools): a reported result ends the step that waits for
 * it, succeeded when it matches the action's output schema, failed when not; anything else changes nothing. See
 * docs/adr/0024-agent-action-runs.md. Also the resolutions of steps whose outcome is unknown (ADR 0035).
 */
public final class ExternalResults {

    private static final Logger LOG = Logger.getLogger(ExternalResults.class);

    private final PlanScheduler scheduler;
    private final ActionSchemas schemas;

    public ExternalResults(PlanScheduler scheduler, ActionSchemas schemas) {
        this.scheduler = scheduler;
        this.schemas = schemas;
    }

    public void apply(Changes changes, StepResultReported result) {
        RunState run = changes.run();
        Step waiting = run.plan() == null ? null : run.plan().step(result.stepId());
        if (run.status().isTerminal() || waiting == null || waiting.status() != StepStatus.AWAITING_RESULT) {
            LOG.infof("run %s: a result for step %s that does not wait for one changed nothing", run.runId(),
                    result.stepId());
            return;
        }
        PlanStep step = run.step(result.stepId());
        List<Violation> violations = schemas.outputViolations(step.action(), result.output());
        if (!violations.isEmpty()) {
            scheduler.failStep(changes, step, Violations.toRunError(Codes.OUTPUT_SCHEMA_VIOLATION,
                    "the reported result does not match the action's output schema", null, violations));
        } else {
            changes.step(step.stepId(), new Step(StepStatus.SUCCEEDED, null, result.output(), null));
            changes.emit(RunEvents.stepSucceeded(step, result.output()));
        }
        scheduler.advance(changes);
    }

    /**
     * A step whose outcome was unknown is resolved: succeeded with the caller's output (checked again against the
     * output schema), failed as the caller says, or failed because nobody said in time. Only a step that still waits is
     * changed; anything else (a repeat, an aborted run) changes nothing.
     */
    public void resolve(Changes changes, OutcomeResolved resolution) {
        RunState run = changes.run();
        Step waiting = run.plan() == null ? null : run.plan().step(resolution.stepId());
        if (run.status().isTerminal() || waiting == null || waiting.status() != StepStatus.OUTCOME_UNKNOWN) {
            LOG.infof("run %s: a resolution for step %s whose outcome is not unknown changed nothing", run.runId(),
                    resolution.stepId());
            return;
        }
        PlanStep step = run.step(resolution.stepId());
        switch (resolution.outcome()) {
        case OutcomeResolved.SUCCEEDED -> {
            List<Violation> violations = schemas.outputViolations(step.action(), resolution.output());
            if (!violations.isEmpty()) {
                scheduler.failStep(changes, step, Violations.toRunError(Codes.OUTPUT_SCHEMA_VIOLATION,
                        "the resolved output does not match the action's output schema", null, violations));
            } else {
                changes.step(step.stepId(), new Step(StepStatus.SUCCEEDED, null, resolution.output(), null));
                changes.emit(RunEvents.stepSucceeded(step, resolution.output()));
            }
        }
        case OutcomeResolved.FAILED -> scheduler.failStep(changes, step, RunError.of(Codes.RESOLVED_FAILED,
                "the call's outcome was unknown; it was resolved as failed (it had no effect)"));
        default -> scheduler.failStep(changes, step, RunError.of(Codes.OUTCOME_UNKNOWN,
                "the call may have reached the integration and its outcome was not resolved in time"));
        }
        scheduler.advance(changes);
    }
}

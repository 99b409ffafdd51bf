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
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.StepResultReported;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.StepStatus;
import dev.runwire.model.schema.Violation;

/**
 * Results of actions their caller carries out (an agent's own tools): a reported result ends the step that waits for
 * it, succeeded when it matches the action's output schema, failed when not; anything else changes nothing. See
 * docs/adr/0024-agent-action-runs.md.
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
}

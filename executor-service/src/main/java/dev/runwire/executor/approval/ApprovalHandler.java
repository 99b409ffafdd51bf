package dev.runwire.executor.approval;

import java.util.List;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.executor.integration.ActionSchemas;
import dev.runwire.executor.integration.Violations;
import dev.runwire.executor.plan.Changes;
import dev.runwire.executor.plan.Launch;
import dev.runwire.executor.plan.PlanScheduler;
import dev.runwire.executor.plan.PlanState;
import dev.runwire.executor.plan.PlanState.Step;
import dev.runwire.executor.plan.RunEvents;
import dev.runwire.executor.plan.RunState;
import dev.runwire.model.approval.ApprovalTokens;
import dev.runwire.model.command.ApprovalDecided;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;
import dev.runwire.model.schema.Violation;

/**
 * An approval decision applied to the run waiting for it: the run's start approved or denied, or one step's call
 * approved (maybe with an edited input, checked against the action's schema) or denied. A decision about anything the
 * run does not wait for, or about another input than the one awaiting approval, changes nothing. See
 * docs/adr/0013-approvals.md.
 */
public final class ApprovalHandler {

    private static final Logger LOG = Logger.getLogger(ApprovalHandler.class);

    private final PlanScheduler scheduler;
    private final ActionSchemas schemas;

    public ApprovalHandler(PlanScheduler scheduler, ActionSchemas schemas) {
        this.scheduler = scheduler;
        this.schemas = schemas;
    }

    public void apply(Changes changes, ApprovalDecided decision) {
        RunState run = changes.run();
        PlanState plan = changes.plan();
        boolean approve = ApprovalTokens.APPROVE.equals(decision.decision());
        if (run.status().isTerminal()) {
            return;
        }
        if (decision.stepId() == null) {
            if (plan.started()) {
                return;
            }
            if (!approve) {
                scheduler.cancel(changes, RunError.of(Codes.APPROVAL_DENIED, "the run was denied"));
                return;
            }
            plan.start();
            changes.move(RunStatus.RUNNING);
            changes.emit(RunEvents.runApproved());
            scheduler.advance(changes);
            return;
        }
        Step waiting = plan.step(decision.stepId());
        if (waiting == null || waiting.status() != StepStatus.AWAITING_APPROVAL
                || !ApprovalTokens.hash(waiting.input()).equals(decision.inputHash())) {
            LOG.infof("run %s: a decision about step %s that does not wait for it changed nothing", run.runId(),
                    decision.stepId());
            return;
        }
        PlanStep step = run.step(decision.stepId());
        if (!approve) {
            RunError error = RunError.of(Codes.APPROVAL_DENIED, "the step was denied");
            changes.step(step.stepId(), new Step(StepStatus.SKIPPED, waiting.input(), null, error));
            changes.emit(RunEvents.stepDenied(step, waiting.input(), error));
            scheduler.advance(changes);
            return;
        }
        JsonNode input = decision.editedInput() != null ? decision.editedInput() : waiting.input();
        List<Violation> violations = schemas.inputViolations(step.action(), input);
        if (!violations.isEmpty()) {
            scheduler.failStep(changes, step, Violations.toRunError(Codes.INPUT_INVALID,
                    "the approved input does not match the action's schema", null, violations));
            scheduler.advance(changes);
            return;
        }
        changes.move(RunStatus.RUNNING);
        changes.emit(RunEvents.stepApproved(step, input));
        Launch started = scheduler.startOrAwait(changes, step, input);
        if (started != null) {
            changes.launch(started);
        }
        scheduler.advance(changes);
    }
}

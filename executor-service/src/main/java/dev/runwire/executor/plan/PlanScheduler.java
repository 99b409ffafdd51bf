package dev.runwire.executor.plan;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.executor.integration.ActionSchemas;
import dev.runwire.executor.integration.Violations;
import dev.runwire.executor.plan.PlanState.Step;
import dev.runwire.model.approval.ApprovalTokens;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.json.Json;
import dev.runwire.model.plan.StepInputs;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;
import dev.runwire.model.schema.Violation;

/**
 * The plan's rules: a step starts as soon as every step it depends on has succeeded (independent steps at the same
 * time), a step whose dependency did not succeed is skipped, a step's references to earlier outputs are resolved and
 * checked before it starts, and a run whose steps all ended finishes (success, partial success, no success or failed).
 * A run with nothing running pauses: for approvals, or for a connection (AUTH_REQUIRED). No I/O.
 */
public final class PlanScheduler {

    private final ActionSchemas schemas;
    private final ApprovalLinkIssuer approvals;
    private final int maxResultBytes;

    public PlanScheduler(ActionSchemas schemas, ApprovalLinkIssuer approvals, int maxResultBytes) {
        this.schemas = schemas;
        this.approvals = approvals;
        this.maxResultBytes = maxResultBytes;
    }

    /** A run just requested (its credentials readable): it starts, or waits for its start to be approved. */
    public void begin(Changes changes) {
        if (changes.plan().started()) {
            changes.move(RunStatus.RUNNING);
            changes.emit(RunEvents.runStarted());
            advance(changes);
        } else {
            changes.move(RunStatus.PAUSED);
            changes.emit(RunEvents
                    .runApprovalRequested(approvals.links(changes.run(), null, null, changes.clock().instant())));
        }
    }

    /**
     * A stored run taken up again (after a restart, or by another executor): the calls interrupted with the last
     * executor are made again, with the same input and idempotency key; no event, they were started before.
     */
    public void relaunchRunning(Changes changes) {
        PlanState plan = changes.plan();
        for (String stepId : plan.withStatus(StepStatus.RUNNING)) {
            changes.launch(new Launch(changes.run().step(stepId), plan.step(stepId).input()));
        }
    }

    /**
     * Marks blocked steps skipped, starts ready ones (or asks for their approval, or for a connection), ends a settled
     * run, and pauses a run that can only wait.
     */
    public void advance(Changes changes) {
        RunState run = changes.run();
        PlanState plan = changes.plan();
        RunRequested command = run.command();
        List<Launch> launch = new ArrayList<>();
        if (!plan.started()) {
            return;
        }
        boolean changed = true;
        while (changed && !run.status().isTerminal()) {
            changed = false;
            for (PlanStep step : plan.blocked(command)) {
                RunError error = RunError.of(Codes.DEPENDENCY_NOT_MET, "a step it depends on did not succeed");
                changes.step(step.stepId(), new Step(StepStatus.SKIPPED, null, null, error));
                changes.emit(RunEvents.stepSkipped(step, error));
                changed = true;
            }
            for (PlanStep step : plan.ready(command)) {
                Launch ready = prepare(changes, step);
                RunRequested.Connection awaited = ready == null ? null : run.awaitedConnection(step);
                if (ready == null) {
                    changed = true;
                } else if (awaited != null) {
                    changes.step(step.stepId(), new Step(StepStatus.AWAITING_CONNECTION, ready.input(), null, null));
                    changes.emit(
                            RunEvents.stepAuthRequired(step, ready.input(),
                                    RunError.of(Codes.AUTH_REQUIRED, "connect an account for "
                                            + awaited.integrationKey() + " to go on: " + awaited.connectUrl()),
                                    awaited));
                } else if (command.approvesEachCall(step)) {
                    changes.step(step.stepId(), new Step(StepStatus.AWAITING_APPROVAL, ready.input(), null, null));
                    changes.emit(RunEvents.stepApprovalRequested(step, ready.input(), approvals.links(run,
                            step.stepId(), ApprovalTokens.hash(ready.input()), changes.clock().instant())));
                } else {
                    Launch started = startOrAwait(changes, step, ready.input());
                    if (started != null) {
                        launch.add(started);
                    }
                }
            }
            if (plan.settled()) {
                finish(changes);
            }
        }
        if (!run.status().isTerminal() && plan.withStatus(StepStatus.RUNNING).isEmpty() && launch.isEmpty()) {
            if (!plan.withStatus(StepStatus.AWAITING_CONNECTION).isEmpty()) {
                // nothing runs: the run waits for its user to connect an account (and maybe for approvals)
                if (run.status() != RunStatus.AUTH_REQUIRED) {
                    changes.move(RunStatus.AUTH_REQUIRED);
                    changes.emit(RunEvents.runAuthRequired());
                }
            } else if (run.status() != RunStatus.PAUSED) {
                // nothing runs: the run waits for approvals
                changes.move(RunStatus.PAUSED);
                changes.emit(RunEvents.runPaused());
            }
        }
        changes.launchAll(launch);
    }

    /**
     * Starts a step: its call, or, for an action its caller carries out, a wait for the reported result (then null).
     */
    public Launch startOrAwait(Changes changes, PlanStep step, JsonNode input) {
        if (!step.action().awaitsResult()) {
            changes.move(RunStatus.RUNNING);
            changes.step(step.stepId(), Step.running(input));
            changes.emit(RunEvents.stepStarted(step, input));
            return new Launch(step, input);
        }
        changes.step(step.stepId(), new Step(StepStatus.AWAITING_RESULT, input, null, null));
        changes.emit(RunEvents.stepAwaitingResult(step, input, step.action().outputSchema()));
        return null;
    }

    /** The step with its input resolved and checked, or null when that failed (the step is then failed). */
    private Launch prepare(Changes changes, PlanStep step) {
        JsonNode input;
        try {
            input = StepInputs.resolve(step.input(), changes.plan().outputs());
        } catch (StepInputs.UnresolvedReferenceException e) {
            failStep(changes, step, RunError.of(Codes.REFERENCE_UNRESOLVED, e.getMessage()));
            return null;
        }
        if (!StepInputs.references(step.input()).isEmpty()) {
            List<Violation> violations = schemas.inputViolations(step.action(), input);
            if (!violations.isEmpty()) {
                failStep(changes, step,
                        Violations.toRunError(Codes.INPUT_INVALID,
                                "the input taken from earlier steps does not match the action's input schema", null,
                                violations));
                return null;
            }
        }
        return new Launch(step, input);
    }

    public void failStep(Changes changes, PlanStep step, RunError error) {
        changes.step(step.stepId(), new Step(StepStatus.FAILED, null, null, error));
        changes.emit(RunEvents.stepFailed(step, error));
    }

    /**
     * Ends a settled run: its ending, checked against the run's output schema and the largest result an event holds.
     */
    private void finish(Changes changes) {
        RunRequested command = changes.run().command();
        PlanState.Ending ending = changes.plan().ending(command);
        if (ending.status() != RunStatus.NO_SUCCESS && ending.status() != RunStatus.FAILED
                && command.outputSchema() != null) {
            List<Violation> violations = schemas.violations(command.outputSchema(), ending.result());
            if (!violations.isEmpty()) {
                ending = new PlanState.Ending(RunStatus.FAILED, null,
                        Violations.toRunError(Codes.RESULT_SCHEMA_VIOLATION,
                                "the steps' outputs do not match the run's output schema", null, violations));
            }
        }
        if (ending.result() != null && Json.write(ending.result()).length() > maxResultBytes) {
            // the terminal event must fit in one broker message; the outputs are in the steps' events
            ending = new PlanState.Ending(RunStatus.FAILED, null,
                    RunError.of(Codes.RESULT_TOO_LARGE, "the run's result is larger than " + maxResultBytes
                            + " bytes; each step's output is in its STEP_SUCCEEDED event"));
        }
        changes.move(ending.status());
        changes.emit(RunEvents.runFinished(ending.status(), ending.result(), ending.error()));
    }

    /**
     * Cancels the run: every step under way is cancelled (its call in flight too), pending ones stay as they are, and
     * the run ends CANCELED with the reason.
     */
    public void cancel(Changes changes, RunError error) {
        PlanState plan = changes.plan();
        for (StepStatus unfinished : List.of(StepStatus.RUNNING, StepStatus.AWAITING_APPROVAL,
                StepStatus.AWAITING_CONNECTION, StepStatus.AWAITING_RESULT, StepStatus.OUTCOME_UNKNOWN)) {
            for (String stepId : plan.withStatus(unfinished)) {
                changes.cancel(stepId);
                changes.step(stepId, new Step(StepStatus.CANCELED, plan.step(stepId).input(), null, error));
                changes.emit(RunEvents.stepCanceled(changes.run().step(stepId), error));
            }
        }
        changes.move(RunStatus.CANCELED);
        changes.emit(RunEvents.runCanceled(error));
    }

    /**
     * An abort that came before the run's request: the run is recorded cancelled (it has no steps yet), so its request,
     * when it comes, finds it so.
     */
    public void cancelBeforeRequest(Changes changes) {
        changes.move(RunStatus.CANCELED);
        changes.emit(RunEvents.runCanceled(RunError.of(Codes.CANCELED, "the run was aborted before it started")));
    }
}

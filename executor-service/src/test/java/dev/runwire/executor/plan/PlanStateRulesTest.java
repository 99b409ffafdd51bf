package dev.runwire.executor.plan;

import static dev.runwire.executor.RunFixture.action;
import static dev.runwire.executor.RunFixture.json;
import static dev.runwire.executor.RunFixture.plan;
import static dev.runwire.executor.RunFixture.request;
import static dev.runwire.executor.RunFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.runwire.executor.plan.PlanState.Step;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;

/** Which steps are ready or blocked, when a plan is settled, and how it ends. */
class PlanStateRulesTest {

    private static final RunRequested DIAMOND = plan(step("A"), step("B", "A"), step("C", "A"), step("D", "B", "C"));

    private static PlanState with(RunRequested command, StepStatus a) {
        PlanState state = PlanState.fresh(command);
        if (a != StepStatus.SKIPPED) {
            state.set("A", new Step(StepStatus.RUNNING, null, null, null));
        }
        if (a != StepStatus.RUNNING) {
            state.set("A", new Step(a, null, a == StepStatus.SUCCEEDED ? json("{}") : null, null));
        }
        return state;
    }

    @Test
    void aFreshPlanHasItsRootsReady() {
        PlanState state = PlanState.fresh(DIAMOND);
        assertEquals(List.of("A"), state.ready(DIAMOND).stream().map(PlanStep::stepId).toList());
        assertEquals(List.of(), state.blocked(DIAMOND));
        assertFalse(state.settled());
        assertTrue(state.started());
    }

    @Test
    void aPlanAskingApprovalOnStartIsNotStarted() {
        RunRequested onStart = request(RunRequested.Kind.PLAN, RunRequested.ON_START, null, null, null, step("A"));
        PlanState state = PlanState.fresh(onStart);
        assertFalse(state.started());
        state.start();
        assertTrue(PlanState.fromJson(state.toJson()).started());
    }

    @ParameterizedTest
    @EnumSource(value = StepStatus.class, names = { "FAILED", "SKIPPED", "CANCELED" })
    void aDependencyThatEndedWithoutSuccessBlocksItsDependents(StepStatus ended) {
        PlanState state = with(DIAMOND, ended);
        assertEquals(List.of("B", "C"), state.blocked(DIAMOND).stream().map(PlanStep::stepId).toList());
        assertEquals(List.of(), state.ready(DIAMOND));
    }

    @ParameterizedTest
    @EnumSource(value = StepStatus.class, names = { "RUNNING", "AWAITING_CONNECTION" })
    void aDependencyUnderWayNeitherReadiesNorBlocks(StepStatus underWay) {
        PlanState state = PlanState.fresh(DIAMOND);
        state.set("A", new Step(underWay, null, null, null));
        assertEquals(List.of(), state.ready(DIAMOND));
        assertEquals(List.of(), state.blocked(DIAMOND));
        assertFalse(state.settled());
    }

    @Test
    void aSucceededDependencyReadiesItsDependents() {
        PlanState state = with(DIAMOND, StepStatus.SUCCEEDED);
        assertEquals(List.of("B", "C"), state.ready(DIAMOND).stream().map(PlanStep::stepId).toList());
        assertEquals(json("{}"), state.outputs().get("A"));
    }

    @ParameterizedTest
    @EnumSource(StepStatus.class)
    void aPlanIsSettledOnlyWhenEveryStepEnded(StepStatus status) {
        RunRequested one = plan(step("A"));
        PlanState state = PlanState.fromJson("{\"started\":true,\"steps\":{\"A\":{\"status\":\"" + status + "\"}}}");
        assertEquals(status.isTerminal(), state.settled());
        assertEquals(status == StepStatus.PENDING ? 1 : 0, state.ready(one).size());
    }

    @Test
    void aSingleActionEndsAsItsStep() {
        RunRequested single = action(step("A"));
        PlanState state = PlanState.fresh(single);
        state.set("A", Step.running(json("{}")));
        state.set("A", new Step(StepStatus.SUCCEEDED, null, json("{\"x\":1}"), null));
        assertEquals(new PlanState.Ending(RunStatus.SUCCESS, json("{\"x\":1}"), null), state.ending(single));
        PlanState failed = PlanState.fresh(single);
        RunError error = RunError.of("e", "m");
        failed.set("A", new Step(StepStatus.FAILED, null, null, error));
        assertEquals(new PlanState.Ending(RunStatus.FAILED, null, error), failed.ending(single));
    }

    @Test
    void connectionsAndRefusalsAreStoredAndReadBack() {
        PlanState state = PlanState.fresh(DIAMOND);
        RunRequested.Connection refusal = new RunRequested.Connection("crm", "/connect", "credentials_invalid",
                java.util.UUID.randomUUID(), 3L);
        state.refuse(refusal);
        PlanState read = PlanState.fromJson(state.toJson());
        assertEquals(refusal, read.refusal("crm"));
        assertFalse(read.connected("crm"));
        read.connect("crm", new dev.runwire.model.command.SealedSecret("k", "n", "c"));
        PlanState again = PlanState.fromJson(read.toJson());
        assertTrue(again.connected("crm"));
        assertNull(again.refusal("crm"));
    }
}

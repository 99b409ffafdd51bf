package dev.runwire.executor.plan;

import static dev.runwire.executor.RunFixture.action;
import static dev.runwire.executor.RunFixture.external;
import static dev.runwire.executor.RunFixture.http;
import static dev.runwire.executor.RunFixture.json;
import static dev.runwire.executor.RunFixture.plan;
import static dev.runwire.executor.RunFixture.ref;
import static dev.runwire.executor.RunFixture.request;
import static dev.runwire.executor.RunFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.runwire.executor.RunFixture;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;

/** The plan's rules: what starts when, what is skipped, how references resolve, and how a run ends. */
class PlanSchedulerTest {

    private final RunFixture f = new RunFixture();

    private static final RunError HTTP_500 = new RunError(Codes.INTEGRATION_HTTP_ERROR, "HTTP 500", 500, null);
    private static final RunError HTTP_400 = new RunError(Codes.INTEGRATION_HTTP_ERROR, "HTTP 400", 400, null);

    @Test
    void aSingleActionRunStartsItsStepAndSucceedsWithItsOutput() {
        f.begin(action(step("A")));
        assertEquals(List.of("A"), f.launched());
        assertEquals(RunStatus.RUNNING, f.runStatus());
        f.succeed("A", "{\"id\":7}");
        assertEquals(List.of("RUN_STARTED", "STEP_STARTED:A", "STEP_SUCCEEDED:A", "RUN_SUCCEEDED"), f.trace());
        assertEquals(json("{\"id\":7}"), f.lastEvent().output());
        assertTrue(f.last.finished());
    }

    @Test
    void aSingleActionRunFailsWithItsStepsError() {
        f.begin(action(step("A")));
        f.fail("A", HTTP_400);
        assertEquals(RunStatus.FAILED, f.runStatus());
        assertEquals(HTTP_400, f.lastEvent().error());
        assertEquals(RunEventType.RUN_FAILED, f.lastEvent().type());
    }

    @Test
    void independentStepsStartTogetherInPlanOrder() {
        f.begin(plan(step("A"), step("B"), step("C")));
        assertEquals(List.of("A", "B", "C"), f.launched());
        assertEquals(List.of("RUN_STARTED", "STEP_STARTED:A", "STEP_STARTED:B", "STEP_STARTED:C"), f.trace());
    }

    @Test
    void aStepStartsOnlyWhenEveryStepItDependsOnSucceeded() {
        f.begin(plan(step("A"), step("B"), step("C", "A", "B")));
        assertEquals(List.of("A", "B"), f.launched());
        f.succeed("A", "{}");
        assertEquals(List.of(), f.launched());
        assertEquals(StepStatus.PENDING, f.status("C"));
        f.succeed("B", "{}");
        assertEquals(List.of("C"), f.launched());
    }

    @Test
    void aChainRunsOneAfterTheOther() {
        f.begin(plan(step("A"), step("B", "A"), step("C", "B")));
        for (String id : List.of("A", "B", "C")) {
            assertEquals(List.of(id), f.launched());
            f.succeed(id, "{}");
        }
        assertEquals(RunStatus.SUCCESS, f.runStatus());
        assertEquals(List.of("RUN_STARTED", "STEP_STARTED:A", "STEP_SUCCEEDED:A", "STEP_STARTED:B", "STEP_SUCCEEDED:B",
                "STEP_STARTED:C", "STEP_SUCCEEDED:C", "RUN_SUCCEEDED"), f.trace());
    }

    @Test
    void aFailedStepSkipsEverythingDownstreamAndTheRestGoesOn() {
        f.begin(plan(step("A"), step("B", "A"), step("C", "B"), step("D")));
        f.fail("A", HTTP_400);
        assertEquals(StepStatus.SKIPPED, f.status("B"));
        assertEquals(StepStatus.SKIPPED, f.status("C"));
        assertEquals(Codes.DEPENDENCY_NOT_MET, f.event(RunEventType.STEP_SKIPPED, "C").error().code());
        assertEquals(RunStatus.RUNNING, f.runStatus());
        f.succeed("D", "{\"d\":1}");
        assertEquals(RunStatus.PARTIAL_SUCCESS, f.runStatus());
        assertEquals(json("{\"D\":{\"d\":1}}"), f.lastEvent().output());
    }

    @Test
    void aPlanWhereNothingSucceededEndsWithNoSuccess() {
        f.begin(plan(step("A"), step("B")));
        f.fail("A", HTTP_400);
        f.fail("B", HTTP_400);
        assertEquals(RunStatus.NO_SUCCESS, f.runStatus());
        assertEquals(RunEventType.RUN_NO_SUCCESS, f.lastEvent().type());
        assertEquals(json("{}"), f.lastEvent().output());
    }

    @Test
    void aPlanWhoseStepsAllSucceededHoldsEveryOutputUnderItsStep() {
        f.begin(plan(step("A"), step("B")));
        f.succeed("B", "{\"b\":2}");
        f.succeed("A", "{\"a\":1}");
        assertEquals(RunStatus.SUCCESS, f.runStatus());
        assertEquals(json("{\"A\":{\"a\":1},\"B\":{\"b\":2}}"), f.lastEvent().output());
    }

    @Test
    void aDiamondJoinsAfterBothBranches() {
        f.begin(plan(step("A"), step("B", "A"), step("C", "A"), step("D", "B", "C")));
        f.succeed("A", "{}");
        assertEquals(List.of("B", "C"), f.launched());
        f.succeed("C", "{}");
        assertEquals(List.of(), f.launched());
        f.succeed("B", "{}");
        assertEquals(List.of("D"), f.launched());
    }

    @Test
    void aDiamondWithOneFailedBranchSkipsTheJoin() {
        f.begin(plan(step("A"), step("B", "A"), step("C", "A"), step("D", "B", "C")));
        f.succeed("A", "{}");
        f.fail("B", HTTP_400);
        assertEquals(StepStatus.SKIPPED, f.status("D"));
        f.succeed("C", "{}");
        assertEquals(RunStatus.PARTIAL_SUCCESS, f.runStatus());
    }

    @Test
    void aReferenceIsResolvedFromTheEarlierStepsOutput() {
        f.begin(plan(step("A"), step("B", http("crm"), json("{\"id\":" + ref("A", "/user/id") + ",\"x\":1}"), "A")));
        f.succeed("A", "{\"user\":{\"id\":42}}");
        assertEquals(json("{\"id\":42,\"x\":1}"), f.last.launches().get(0).input());
        assertEquals(json("{\"id\":42,\"x\":1}"), f.event(RunEventType.STEP_STARTED, "B").input());
    }

    @Test
    void aWholeOutputCanBeReferenced() {
        f.begin(plan(step("A"), step("B", http("crm"), json("{\"all\":{\"$fromStep\":\"A\"}}"), "A")));
        f.succeed("A", "{\"k\":[1,2]}");
        assertEquals(json("{\"all\":{\"k\":[1,2]}}"), f.last.launches().get(0).input());
    }

    @Test
    void aReferenceToAMissingValueFailsTheStepAndSkipsItsDependents() {
        f.begin(plan(step("A"), step("B", http("crm"), json("{\"id\":" + ref("A", "/nope") + "}"), "A"),
                step("C", "B")));
        f.succeed("A", "{\"user\":1}");
        assertEquals(StepStatus.FAILED, f.status("B"));
        assertEquals(Codes.REFERENCE_UNRESOLVED, f.event(RunEventType.STEP_FAILED, "B").error().code());
        assertEquals(StepStatus.SKIPPED, f.status("C"));
        assertEquals(RunStatus.PARTIAL_SUCCESS, f.runStatus());
    }

    @Test
    void aReferencedInputThatBreaksTheActionsSchemaFailsTheStep() {
        var schema = json("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}");
        f.begin(plan(step("A"),
                step("B", http("crm", schema, null, null), json("{\"id\":" + ref("A", "/id") + "}"), "A")));
        f.succeed("A", "{\"id\":\"not a number\"}");
        RunError error = f.event(RunEventType.STEP_FAILED, "B").error();
        assertEquals(Codes.INPUT_INVALID, error.code());
        assertEquals("/id", error.violations().get(0).pointer());
    }

    @Test
    void aLiteralInputIsNotCheckedAgainst() {
        // checked when the run was accepted; only inputs taken from earlier steps are checked here
        var schema = json("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}");
        f.begin(plan(step("A", http("crm", schema, null, null), json("{\"id\":\"x\"}"))));
        assertEquals(List.of("A"), f.launched());
    }

    @Test
    void aRunsOutputSchemaIsCheckedAgainstItsResult() {
        var schema = json("{\"type\":\"object\",\"required\":[\"B\"]}");
        f.begin(request(RunRequested.Kind.PLAN, null, null, schema, null, step("A")));
        f.succeed("A", "{}");
        assertEquals(RunStatus.FAILED, f.runStatus());
        assertEquals(Codes.RESULT_SCHEMA_VIOLATION, f.lastEvent().error().code());
        assertNull(f.lastEvent().output());
    }

    @Test
    void aResultMatchingTheRunsOutputSchemaSucceeds() {
        var schema = json("{\"type\":\"object\",\"required\":[\"A\"]}");
        f.begin(request(RunRequested.Kind.PLAN, null, null, schema, null, step("A")));
        f.succeed("A", "{}");
        assertEquals(RunStatus.SUCCESS, f.runStatus());
    }

    @Test
    void aRunWithNoSuccessIsNotCheckedAgainstItsOutputSchema() {
        var schema = json("{\"type\":\"object\",\"required\":[\"A\"]}");
        f.begin(request(RunRequested.Kind.PLAN, null, null, schema, null, step("A")));
        f.fail("A", HTTP_400);
        assertEquals(RunStatus.NO_SUCCESS, f.runStatus());
    }

    @Test
    void aResultLargerThanAnEventMayHoldFailsTheRun() {
        f.begin(plan(step("A")));
        f.succeed("A", "{\"big\":\"" + "x".repeat(RunFixture.MAX_RESULT_BYTES) + "\"}");
        assertEquals(RunStatus.FAILED, f.runStatus());
        assertEquals(Codes.RESULT_TOO_LARGE, f.lastEvent().error().code());
        assertEquals(RunEventType.STEP_SUCCEEDED, f.events.get(f.events.size() - 2).type());
    }

    @Test
    void aStepItsCallerCarriesOutWaitsForItsResultWithItsSchema() {
        var schema = json("{\"type\":\"object\"}");
        f.begin(plan(step("A", external(schema), json("{\"q\":1}"))));
        assertEquals(List.of(), f.launched());
        assertEquals(StepStatus.AWAITING_RESULT, f.status("A"));
        RunEvent waiting = f.event(RunEventType.STEP_AWAITING_RESULT, "A");
        assertEquals(schema, waiting.expects());
        assertEquals(json("{\"q\":1}"), waiting.input());
        assertEquals(RunStatus.PAUSED, f.runStatus());
    }

    @Test
    void aRunWaitingForItsStartsApprovalStartsNothing() {
        f.begin(request(RunRequested.Kind.PLAN, RunRequested.ON_START, null, null, null, step("A")));
        assertEquals(RunStatus.PAUSED, f.runStatus());
        assertEquals(List.of("RUN_APPROVAL_REQUESTED"), f.trace());
        assertEquals(List.of(), f.launched());
        assertEquals(StepStatus.PENDING, f.status("A"));
    }

    @Test
    void everyReadyStepAsksForApprovalOnToolCall() {
        f.begin(request(RunRequested.Kind.PLAN, RunRequested.ON_TOOL_CALL, null, null, null, step("A"), step("B"),
                step("C", "A")));
        assertEquals(List.of("RUN_STARTED", "STEP_APPROVAL_REQUESTED:A", "STEP_APPROVAL_REQUESTED:B", "RUN_PAUSED"),
                f.trace());
        assertEquals(RunStatus.PAUSED, f.runStatus());
        assertEquals(StepStatus.AWAITING_APPROVAL, f.status("B"));
    }

    @Test
    void eventsAreNumberedFromOneWithoutGapsAndWithStableIds() {
        f.begin(plan(step("A"), step("B", "A")));
        f.succeed("A", "{}");
        f.succeed("B", "{}");
        for (int i = 0; i < f.events.size(); i++) {
            RunEvent event = f.events.get(i);
            assertEquals(i + 1, event.seq());
            assertEquals(RunEvent.idFor(f.run.runId(), i + 1), event.eventId());
            assertEquals(RunFixture.NOW, event.at());
        }
        assertEquals(f.events.size() + 1, f.run.nextSeq());
    }

    @Test
    void eachEventReportsTheRunsStatusAfterIt() {
        f.begin(plan(step("A")));
        f.succeed("A", "{}");
        assertEquals(List.of(RunStatus.RUNNING, RunStatus.RUNNING, RunStatus.RUNNING, RunStatus.SUCCESS),
                f.events.stream().map(RunEvent::status).toList());
    }

    @Test
    void stepEventsCarryTheStepsIdAndDescription() {
        f.begin(plan(step("A")));
        RunEvent started = f.event(RunEventType.STEP_STARTED, "A");
        assertEquals("step A", started.description());
        assertNull(f.events.get(0).stepId());
    }

    @Test
    void anAbortCancelsWhatIsUnderWayAndLeavesPendingStepsAlone() {
        f.begin(plan(step("A"), step("B", "A")));
        f.abort();
        assertEquals(List.of("A"), f.last.cancels());
        assertEquals(StepStatus.CANCELED, f.status("A"));
        assertEquals(StepStatus.PENDING, f.status("B"));
        assertEquals(RunStatus.CANCELED, f.runStatus());
        assertEquals(List.of("RUN_STARTED", "STEP_STARTED:A", "STEP_CANCELED:A", "RUN_CANCELED"), f.trace());
        assertTrue(f.last.finished());
    }

    @Test
    void anOutcomeAfterTheAbortChangesNothing() {
        f.begin(plan(step("A")));
        f.abort();
        int before = f.events.size();
        f.succeed("A", "{}");
        assertEquals(before, f.events.size());
        assertEquals(StepStatus.CANCELED, f.status("A"));
    }

    @Test
    void anAbortBeforeTheRequestRecordsACancelledRun() {
        RunState early = new RunState(java.util.UUID.randomUUID(), RunFixture.OWNER);
        Changes changes = new Changes(early, RunFixture.CLOCK);
        f.scheduler.cancelBeforeRequest(changes);
        Transition t = changes.transition();
        assertEquals(RunStatus.CANCELED, t.status());
        assertEquals(RunEventType.RUN_CANCELED, t.events().get(0).type());
        assertEquals(1, t.events().get(0).seq());
    }

    @Test
    void aStepIsNeverStartedTwice() {
        f.begin(plan(step("A"), step("B")));
        f.succeed("A", "{}");
        assertEquals(List.of(), f.launched());
        assertEquals(1, f.trace().stream().filter("STEP_STARTED:B"::equals).count());
    }

    /** Wide plans: n independent steps, k of which fail. */
    static Stream<Arguments> widths() {
        List<Arguments> cases = new ArrayList<>();
        for (int n = 1; n <= 6; n++) {
            for (int failed = 0; failed <= n; failed++) {
                cases.add(Arguments.of(n, failed));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} steps, {1} failed")
    @MethodSource("widths")
    void aPlansEndingCountsItsSucceededSteps(int n, int failed) {
        PlanStep[] steps = new PlanStep[n];
        for (int i = 0; i < n; i++) {
            steps[i] = step("S" + i);
        }
        f.begin(plan(steps));
        assertEquals(n, f.launched().size());
        for (int i = 0; i < n; i++) {
            if (i < failed) {
                f.fail("S" + i, HTTP_400);
            } else {
                f.succeed("S" + i, "{\"i\":" + i + "}");
            }
        }
        RunStatus expected = failed == 0 ? RunStatus.SUCCESS
                : failed == n ? RunStatus.NO_SUCCESS : RunStatus.PARTIAL_SUCCESS;
        assertEquals(expected, f.runStatus());
        assertEquals(n - failed, f.lastEvent().output().size());
        assertEquals(2 * n + 2, f.events.size());
    }

    @ParameterizedTest(name = "a chain of {0} failing at step {1}")
    @MethodSource("chains")
    void aFailureInAChainSkipsEveryStepAfterIt(int length, int failsAt) {
        PlanStep[] steps = new PlanStep[length];
        for (int i = 0; i < length; i++) {
            steps[i] = i == 0 ? step("S0") : step("S" + i, "S" + (i - 1));
        }
        f.begin(plan(steps));
        for (int i = 0; i < failsAt; i++) {
            f.succeed("S" + i, "{}");
        }
        f.fail("S" + failsAt, HTTP_400);
        for (int i = failsAt + 1; i < length; i++) {
            assertEquals(StepStatus.SKIPPED, f.status("S" + i), "S" + i);
        }
        assertEquals(failsAt == 0 ? RunStatus.NO_SUCCESS : RunStatus.PARTIAL_SUCCESS, f.runStatus());
    }

    static Stream<Arguments> chains() {
        List<Arguments> cases = new ArrayList<>();
        for (int length = 1; length <= 6; length++) {
            for (int at = 0; at < length; at++) {
                cases.add(Arguments.of(length, at));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest
    @ValueSource(ints = { 2, 3, 4, 5, 6, 7, 8 })
    void aFanInWaitsForEveryBranch(int branches) {
        List<PlanStep> steps = new ArrayList<>();
        String[] all = new String[branches];
        for (int i = 0; i < branches; i++) {
            all[i] = "B" + i;
            steps.add(step(all[i]));
        }
        steps.add(step("J", all));
        f.begin(plan(steps.toArray(PlanStep[]::new)));
        for (int i = 0; i < branches; i++) {
            assertEquals(StepStatus.PENDING, f.status("J"));
            f.succeed("B" + i, "{}");
        }
        assertEquals(List.of("J"), f.launched());
    }

    @Test
    void aRunThatEndedStaysEnded() {
        f.begin(plan(step("A")));
        f.succeed("A", "{}");
        Changes changes = new Changes(f.run, RunFixture.CLOCK);
        f.scheduler.advance(changes);
        assertTrue(changes.transition().isEmpty());
    }
}

package dev.runwire.executor.approval;

import static dev.runwire.executor.RunFixture.external;
import static dev.runwire.executor.RunFixture.http;
import static dev.runwire.executor.RunFixture.json;
import static dev.runwire.executor.RunFixture.request;
import static dev.runwire.executor.RunFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.runwire.executor.RunFixture;
import dev.runwire.model.approval.ApprovalTokens;
import dev.runwire.model.command.ApprovalDecided;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;

/** Approvals: of the run's start, of each call, with an edited input, denied, and links that expire. */
class ApprovalHandlerTest {

    private final RunFixture f = new RunFixture();

    private static RunRequested onStart(PlanStep... steps) {
        return request(RunRequested.Kind.PLAN, RunRequested.ON_START, null, null, null, steps);
    }

    private static RunRequested onToolCall(PlanStep... steps) {
        return request(RunRequested.Kind.PLAN, RunRequested.ON_TOOL_CALL, null, null, null, steps);
    }

    @Test
    void theStartsApprovalLinksAreSignedForTheRunAndExpireAfterTheirTime() throws Exception {
        f.begin(onStart(step("A")));
        RunEvent asked = f.event(RunEventType.RUN_APPROVAL_REQUESTED, null);
        RunEvent.ApprovalLinks links = asked.approval();
        assertEquals(RunFixture.NOW.plus(RunFixture.APPROVAL_TTL), links.expiresAt());
        ApprovalTokens.Approval approve = RunFixture.TOKENS.verify(links.approveToken());
        assertEquals(ApprovalTokens.APPROVE, approve.decision());
        assertEquals(f.run.runId(), approve.runId());
        assertEquals(RunFixture.OWNER, approve.ownerId());
        assertNull(approve.stepId());
        assertNull(approve.inputHash());
        assertEquals(ApprovalTokens.DENY, RunFixture.TOKENS.verify(links.denyToken()).decision());
    }

    @Test
    void anApprovedStartRunsThePlan() {
        f.begin(onStart(step("A"), step("B", "A")));
        f.decide(null, ApprovalTokens.APPROVE, null);
        assertEquals(List.of("RUN_APPROVAL_REQUESTED", "RUN_APPROVED", "STEP_STARTED:A"), f.trace());
        assertEquals(List.of("A"), f.launched());
        assertEquals(RunStatus.RUNNING, f.runStatus());
        assertTrue(f.run.plan().started());
    }

    @Test
    void aDeniedStartCancelsTheRun() {
        f.begin(onStart(step("A")));
        f.decide(null, ApprovalTokens.DENY, null);
        assertEquals(RunStatus.CANCELED, f.runStatus());
        assertEquals(Codes.APPROVAL_DENIED, f.lastEvent().error().code());
        assertEquals(StepStatus.PENDING, f.status("A"));
        assertTrue(f.last.finished());
    }

    @Test
    void aSecondDecisionAboutTheStartChangesNothing() {
        f.begin(onStart(step("A")));
        f.decide(null, ApprovalTokens.APPROVE, null);
        int before = f.events.size();
        f.decide(null, ApprovalTokens.DENY, null);
        assertEquals(before, f.events.size());
        assertEquals(RunStatus.RUNNING, f.runStatus());
    }

    @Test
    void aStepsApprovalLinksAreBoundToItsExactInput() throws Exception {
        f.begin(onToolCall(step("A", http("crm"), json("{\"to\":\"x\"}"))));
        RunEvent asked = f.event(RunEventType.STEP_APPROVAL_REQUESTED, "A");
        assertEquals(json("{\"to\":\"x\"}"), asked.input());
        ApprovalTokens.Approval approval = RunFixture.TOKENS.verify(asked.approval().approveToken());
        assertEquals("A", approval.stepId());
        assertEquals(ApprovalTokens.hash(json("{\"to\":\"x\"}")), approval.inputHash());
    }

    @Test
    void anApprovedCallStartsWithItsInput() {
        f.begin(onToolCall(step("A")));
        f.decide("A", ApprovalTokens.APPROVE, null);
        assertEquals(List.of("A"), f.launched());
        assertEquals(
                List.of("RUN_STARTED", "STEP_APPROVAL_REQUESTED:A", "RUN_PAUSED", "STEP_APPROVED:A", "STEP_STARTED:A"),
                f.trace());
        assertEquals(RunStatus.RUNNING, f.runStatus());
    }

    @Test
    void anEditedInputIsTheOneCalled() {
        var schema = json("{\"type\":\"object\",\"properties\":{\"to\":{\"type\":\"string\"}}}");
        f.begin(onToolCall(step("A", http("crm", schema, null, null), json("{\"to\":\"x\"}"))));
        f.decide("A", ApprovalTokens.APPROVE, json("{\"to\":\"y\"}"));
        assertEquals(json("{\"to\":\"y\"}"), f.last.launches().get(0).input());
        assertEquals(json("{\"to\":\"y\"}"), f.event(RunEventType.STEP_APPROVED, "A").input());
        assertEquals(json("{\"to\":\"y\"}"), f.run.plan().step("A").input());
    }

    @Test
    void anEditedInputBreakingTheSchemaFailsTheStep() {
        var schema = json("{\"type\":\"object\",\"properties\":{\"to\":{\"type\":\"string\"}}}");
        f.begin(onToolCall(step("A", http("crm", schema, null, null), json("{\"to\":\"x\"}"))));
        f.decide("A", ApprovalTokens.APPROVE, json("{\"to\":5}"));
        assertEquals(StepStatus.FAILED, f.status("A"));
        assertEquals(Codes.INPUT_INVALID, f.event(RunEventType.STEP_FAILED, "A").error().code());
        assertEquals("/to", f.event(RunEventType.STEP_FAILED, "A").error().violations().get(0).pointer());
        assertEquals(RunStatus.NO_SUCCESS, f.runStatus());
    }

    @Test
    void aDeniedCallIsSkippedAndItsDependentsToo() {
        f.begin(onToolCall(step("A"), step("B", "A"), step("C")));
        f.decide("A", ApprovalTokens.DENY, null);
        assertEquals(StepStatus.SKIPPED, f.status("A"));
        assertEquals(Codes.APPROVAL_DENIED, f.event(RunEventType.STEP_DENIED, "A").error().code());
        assertEquals(StepStatus.SKIPPED, f.status("B"));
        assertEquals(StepStatus.AWAITING_APPROVAL, f.status("C"));
        assertEquals(RunStatus.PAUSED, f.runStatus());
    }

    @Test
    void denyingTheLastWaitingCallEndsThePausedRun() {
        f.begin(onToolCall(step("A")));
        f.decide("A", ApprovalTokens.DENY, null);
        assertEquals(RunStatus.NO_SUCCESS, f.runStatus());
    }

    @Test
    void aDecisionAboutAnotherInputChangesNothing() {
        f.begin(onToolCall(step("A")));
        int before = f.events.size();
        f.decide(new ApprovalDecided(f.run.runId(), RunFixture.OWNER, "A", ApprovalTokens.APPROVE,
                ApprovalTokens.hash(json("{\"other\":1}")), null, RunFixture.NOW));
        assertEquals(before, f.events.size());
        assertEquals(StepStatus.AWAITING_APPROVAL, f.status("A"));
    }

    @Test
    void aDecisionAboutAStepThatDoesNotWaitChangesNothing() {
        f.begin(onToolCall(step("A"), step("B", "A")));
        int before = f.events.size();
        f.decide(new ApprovalDecided(f.run.runId(), RunFixture.OWNER, "B", ApprovalTokens.APPROVE,
                ApprovalTokens.hash(json("{\"n\":\"B\"}")), null, RunFixture.NOW));
        f.decide(new ApprovalDecided(f.run.runId(), RunFixture.OWNER, "nope", ApprovalTokens.APPROVE, "h", null,
                RunFixture.NOW));
        assertEquals(before, f.events.size());
    }

    @Test
    void aRepeatedApprovalStartsTheCallOnce() {
        f.begin(onToolCall(step("A")));
        f.decide("A", ApprovalTokens.APPROVE, null);
        ApprovalDecided again = new ApprovalDecided(f.run.runId(), RunFixture.OWNER, "A", ApprovalTokens.APPROVE,
                ApprovalTokens.hash(json("{\"n\":\"A\"}")), null, RunFixture.NOW);
        f.decide(again);
        assertEquals(List.of(), f.launched());
        assertEquals(1, f.trace().stream().filter("STEP_STARTED:A"::equals).count());
    }

    @Test
    void aDecisionAboutAnEndedRunChangesNothing() {
        f.begin(onToolCall(step("A")));
        f.abort();
        int before = f.events.size();
        f.decide(new ApprovalDecided(f.run.runId(), RunFixture.OWNER, "A", ApprovalTokens.APPROVE,
                ApprovalTokens.hash(json("{\"n\":\"A\"}")), null, RunFixture.NOW));
        assertEquals(before, f.events.size());
    }

    @Test
    void approvingAStepItsCallerCarriesOutMakesItWaitForTheResult() {
        f.begin(onToolCall(step("A", external(null), json("{}"))));
        f.decide("A", ApprovalTokens.APPROVE, null);
        assertEquals(StepStatus.AWAITING_RESULT, f.status("A"));
        assertEquals(List.of(), f.launched());
        assertEquals(RunStatus.PAUSED, f.runStatus());
    }

    @Test
    void afterAnApprovedStepSucceedsTheNextAsksForItsOwnApproval() {
        f.begin(onToolCall(step("A"), step("B", "A")));
        f.decide("A", ApprovalTokens.APPROVE, null);
        f.succeed("A", "{}");
        assertEquals(StepStatus.AWAITING_APPROVAL, f.status("B"));
        assertEquals(RunStatus.PAUSED, f.runStatus());
        assertNotNull(f.event(RunEventType.STEP_APPROVAL_REQUESTED, "B").approval());
    }

    @Test
    void abortingARunThatWaitsForApprovalsCancelsTheWaitingSteps() {
        f.begin(onToolCall(step("A"), step("B")));
        f.abort();
        assertEquals(StepStatus.CANCELED, f.status("A"));
        assertEquals(StepStatus.CANCELED, f.status("B"));
        assertEquals(List.of("A", "B"), f.last.cancels());
    }

    @Test
    void expiredLinksAreRefused() {
        RunFixture expired = new RunFixture(Duration.ofHours(-1));
        expired.begin(onToolCall(step("A")));
        String token = expired.event(RunEventType.STEP_APPROVAL_REQUESTED, "A").approval().approveToken();
        ApprovalTokens.InvalidTokenException refused = assertThrows(ApprovalTokens.InvalidTokenException.class,
                () -> RunFixture.TOKENS.verify(token));
        assertTrue(refused.expired());
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 2, 3, 4, 5, 6 })
    void eachOfSeveralCallsIsApprovedOnItsOwn(int n) {
        PlanStep[] steps = new PlanStep[n];
        for (int i = 0; i < n; i++) {
            steps[i] = step("S" + i);
        }
        f.begin(onToolCall(steps));
        for (int i = 0; i < n; i++) {
            assertEquals(StepStatus.AWAITING_APPROVAL, f.status("S" + i));
        }
        for (int i = 0; i < n; i++) {
            f.decide("S" + i, ApprovalTokens.APPROVE, null);
            assertEquals(List.of("S" + i), f.launched());
            f.succeed("S" + i, "{}");
        }
        assertEquals(RunStatus.SUCCESS, f.runStatus());
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 2, 3, 4, 5, 6 })
    void denyingSomeOfSeveralCallsEndsWithWhatWasApproved(int n) {
        PlanStep[] steps = new PlanStep[n + 1];
        for (int i = 0; i <= n; i++) {
            steps[i] = step("S" + i);
        }
        f.begin(onToolCall(steps));
        for (int i = 0; i < n; i++) {
            f.decide("S" + i, ApprovalTokens.DENY, null);
        }
        f.decide("S" + n, ApprovalTokens.APPROVE, null);
        f.succeed("S" + n, "{}");
        assertEquals(RunStatus.PARTIAL_SUCCESS, f.runStatus());
    }
}

package dev.runwire.executor.step;

import static dev.runwire.executor.RunFixture.action;
import static dev.runwire.executor.RunFixture.declared;
import static dev.runwire.executor.RunFixture.json;
import static dev.runwire.executor.RunFixture.plan;
import static dev.runwire.executor.RunFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.runwire.executor.RunFixture;
import dev.runwire.executor.integration.StepOutcome;
import dev.runwire.executor.step.Retries.Decision;
import dev.runwire.model.action.ActionSafety;
import dev.runwire.model.action.SideEffects;
import dev.runwire.model.command.OutcomeResolved;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;

/**
 * What the action's safety declaration does to a failed call (ADR 0035): a call that may have reached the provider of
 * an action that must not be repeated is never made again; its step waits for a resolution.
 */
class OutcomeUnknownTest {

    private static final ActionSafety UNSAFE = ActionSafety.DEFAULT;
    private static final ActionSafety KEYED = new ActionSafety(SideEffects.NON_IDEMPOTENT, true, true);
    private static final ActionSafety IDEMPOTENT = new ActionSafety(SideEffects.IDEMPOTENT, true, false);
    private static final ActionSafety READ_ONLY = ActionSafety.of(SideEffects.NONE, null, null);
    private static final String OUTPUT_SCHEMA = "{\"type\":\"object\",\"required\":[\"id\"]}";

    private static StepOutcome timedOutAfterSending() {
        return StepOutcome.lostAfterSending(RunError.of(Codes.INTEGRATION_TIMEOUT, "no answer within 1000 ms"));
    }

    private static StepOutcome http(int status) {
        return StepOutcome.failure(new RunError(Codes.INTEGRATION_HTTP_ERROR, "HTTP " + status, status, null));
    }

    static Stream<Arguments> decisions() {
        List<Arguments> cases = new ArrayList<>();
        StepOutcome lostTimeout = timedOutAfterSending();
        StepOutcome lostConnection = StepOutcome
                .lostAfterSending(RunError.of(Codes.INTEGRATION_UNREACHABLE, "connection lost after sending"));
        StepOutcome connectTimeout = StepOutcome.failure(RunError.of(Codes.INTEGRATION_TIMEOUT, "connect timeout"));
        StepOutcome refused = StepOutcome.failure(RunError.of(Codes.INTEGRATION_UNREACHABLE, "refused"));
        StepOutcome egress = StepOutcome.failure(RunError.of(Codes.EGRESS_REFUSED, "private address"));
        // must not be repeated: unknown after sending, retried before, the provider's own answers decide the rest
        cases.add(Arguments.of(UNSAFE, lostTimeout, 1, Decision.OUTCOME_UNKNOWN));
        cases.add(Arguments.of(UNSAFE, lostTimeout, 3, Decision.OUTCOME_UNKNOWN));
        cases.add(Arguments.of(UNSAFE, lostConnection, 1, Decision.OUTCOME_UNKNOWN));
        cases.add(Arguments.of(UNSAFE, connectTimeout, 1, Decision.RETRY));
        cases.add(Arguments.of(UNSAFE, refused, 1, Decision.RETRY));
        cases.add(Arguments.of(UNSAFE, refused, 3, Decision.FAIL));
        cases.add(Arguments.of(UNSAFE, egress, 1, Decision.FAIL));
        for (int status : new int[] { 408, 429, 503 }) {
            cases.add(Arguments.of(UNSAFE, http(status), 1, Decision.RETRY));
        }
        for (int status : new int[] { 500, 502, 504, 400, 409 }) {
            cases.add(Arguments.of(UNSAFE, http(status), 1, Decision.FAIL));
        }
        // may be repeated: today's retries with the one key
        for (ActionSafety safe : List.of(KEYED, IDEMPOTENT, READ_ONLY)) {
            cases.add(Arguments.of(safe, lostTimeout, 1, Decision.RETRY));
            cases.add(Arguments.of(safe, lostTimeout, 3, Decision.FAIL));
            cases.add(Arguments.of(safe, lostConnection, 2, Decision.RETRY));
            cases.add(Arguments.of(safe, refused, 1, Decision.RETRY));
            cases.add(Arguments.of(safe, http(500), 1, Decision.RETRY));
            cases.add(Arguments.of(safe, http(502), 1, Decision.RETRY));
            cases.add(Arguments.of(safe, http(404), 1, Decision.FAIL));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, {1}, after attempt {2} of 3: {3}")
    @MethodSource("decisions")
    void theDeclarationDecidesWhatFollowsAFailedCall(ActionSafety safety, StepOutcome outcome, int made,
            Decision expected) {
        assertEquals(expected, Retries.decide(safety, outcome, made, 3));
    }

    @Test
    void theDefaultsAreTheSafeOnes() {
        assertEquals(new ActionSafety(SideEffects.NON_IDEMPOTENT, true, false), ActionSafety.of(null, null, null));
        assertEquals(false, ActionSafety.of(SideEffects.NONE, null, null).destructive());
        assertEquals(true, ActionSafety.of(SideEffects.IDEMPOTENT, null, null).destructive());
        assertEquals(ActionSafety.DEFAULT, declaredNothing().safety());
        assertTrue(READ_ONLY.readOnlyHint() && READ_ONLY.idempotentHint() && !READ_ONLY.destructiveHint());
        assertTrue(!UNSAFE.readOnlyHint() && !UNSAFE.idempotentHint() && UNSAFE.destructiveHint()
                && UNSAFE.openWorldHint());
    }

    private static dev.runwire.model.command.ActionSpec declaredNothing() {
        return RunFixture.http("crm");
    }

    @Test
    void aCallThatMayHaveReachedTheProviderIsNotRepeatedAndTheRunWaits() {
        RunFixture f = new RunFixture();
        f.begin(action(step("A", declared(UNSAFE, json(OUTPUT_SCHEMA)), json("{\"n\":1}"))));
        f.outcome("A", timedOutAfterSending());
        assertEquals(StepStatus.OUTCOME_UNKNOWN, f.status("A"));
        assertEquals(RunStatus.PAUSED, f.runStatus());
        assertTrue(f.last.launches().isEmpty(), "no other attempt");
        RunEvent unknown = f.event(RunEventType.STEP_OUTCOME_UNKNOWN, "A");
        assertEquals(Codes.OUTCOME_UNKNOWN, unknown.error().code());
        assertEquals(json("{\"n\":1}"), unknown.input());
        assertEquals(json(OUTPUT_SCHEMA), unknown.expects());
        assertEquals(List.of("RUN_STARTED", "STEP_STARTED:A", "STEP_OUTCOME_UNKNOWN:A", "RUN_PAUSED"), f.trace());
        // a late outcome of the same call (it cannot come, the call ended) changes nothing
        f.succeed("A", "{\"id\":\"x\"}");
        assertEquals(StepStatus.OUTCOME_UNKNOWN, f.status("A"));
    }

    @Test
    void resolvedSucceededTheRunSucceedsWithTheOutputOnce() {
        RunFixture f = new RunFixture();
        f.begin(action(step("A", declared(UNSAFE, json(OUTPUT_SCHEMA)), json("{}"))));
        f.outcome("A", timedOutAfterSending());
        f.resolve("A", OutcomeResolved.SUCCEEDED, "{\"id\":\"ch_1\"}");
        assertEquals(RunStatus.SUCCESS, f.runStatus());
        assertEquals(json("{\"id\":\"ch_1\"}"), f.run.plan().step("A").output());
        int events = f.events.size();
        f.resolve("A", OutcomeResolved.FAILED, null);
        assertEquals(events, f.events.size(), "a second resolution changes nothing");
    }

    @Test
    void resolvedFailedOrExpiredTheStepFailsWithItsReason() {
        for (String[] way : new String[][] { { OutcomeResolved.FAILED, Codes.RESOLVED_FAILED },
                { OutcomeResolved.EXPIRED, Codes.OUTCOME_UNKNOWN } }) {
            RunFixture f = new RunFixture();
            f.begin(action(step("A", declared(UNSAFE, null), json("{}"))));
            f.outcome("A", timedOutAfterSending());
            f.resolve("A", way[0], null);
            assertEquals(StepStatus.FAILED, f.status("A"));
            assertEquals(RunStatus.FAILED, f.runStatus());
            assertEquals(way[1], f.run.plan().step("A").error().code());
        }
    }

    @Test
    void aResolvedOutputThatBreaksTheSchemaFailsTheStep() {
        RunFixture f = new RunFixture();
        f.begin(action(step("A", declared(UNSAFE, json(OUTPUT_SCHEMA)), json("{}"))));
        f.outcome("A", timedOutAfterSending());
        f.resolve("A", OutcomeResolved.SUCCEEDED, "{\"other\":1}");
        assertEquals(Codes.OUTPUT_SCHEMA_VIOLATION, f.run.plan().step("A").error().code());
    }

    @Test
    void aPlanGoesOnOnceItsUnknownStepIsResolved() {
        RunFixture f = new RunFixture();
        f.begin(plan(step("A", declared(UNSAFE, null), json("{}")), step("B", "A"), step("C")));
        f.succeed("C", "{}");
        f.outcome("A", timedOutAfterSending());
        assertEquals(RunStatus.PAUSED, f.runStatus());
        f.resolve("A", OutcomeResolved.SUCCEEDED, "{\"id\":1}");
        assertEquals(List.of("B"), f.launched());
        assertEquals(RunStatus.RUNNING, f.runStatus());
        f.succeed("B", "{}");
        assertEquals(RunStatus.SUCCESS, f.runStatus());
    }

    @Test
    void anAbortCancelsAStepWhoseOutcomeIsUnknown() {
        RunFixture f = new RunFixture();
        f.begin(action(step("A", declared(UNSAFE, null), json("{}"))));
        f.outcome("A", timedOutAfterSending());
        f.abort();
        assertEquals(StepStatus.CANCELED, f.status("A"));
        assertEquals(RunStatus.CANCELED, f.runStatus());
    }

    @Test
    void anUnknownOutcomeSurvivesARestartWithoutACall() {
        RunFixture f = new RunFixture();
        f.begin(action(step("A", declared(UNSAFE, null), json("{}"))));
        f.outcome("A", timedOutAfterSending());
        f.restart();
        assertTrue(f.launched().isEmpty(), "the call is not made again after a restart");
        assertEquals(StepStatus.OUTCOME_UNKNOWN, f.status("A"));
    }

    @Test
    void anIdempotentActionIsRetriedAfterATimeout() {
        RunFixture f = new RunFixture();
        f.begin(action(step("A", declared(IDEMPOTENT, null), json("{}"))));
        f.outcome("A", timedOutAfterSending());
        assertEquals(StepStatus.RUNNING, f.status("A"));
        assertEquals(RunEventType.STEP_RETRYING, f.lastEvent().type());
        assertEquals(List.of("A"), f.launched());
    }
}

package dev.runwire.executor.plan;

import static dev.runwire.executor.RunFixture.json;
import static dev.runwire.executor.RunFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunStatus;

/** Each named event carries its kind and only what that kind carries. */
class RunEventsTest {

    private static final PlanStep STEP = step("A");
    private static final RunError ERROR = RunError.of("why", "because");
    private static final RunEvent.ApprovalLinks LINKS = new RunEvent.ApprovalLinks("a", "d", Instant.EPOCH);
    private static final RunRequested.Connection CONNECTION = RunRequested.Connection.missing("crm", null);

    static Stream<Arguments> drafts() {
        var in = json("{\"in\":1}");
        var out = json("{\"out\":1}");
        return Stream.of(Arguments.of(RunEvents.runStarted(), RunEventType.RUN_STARTED, false, null, null, null),
                Arguments.of(RunEvents.runApprovalRequested(LINKS), RunEventType.RUN_APPROVAL_REQUESTED, false, null,
                        null, null),
                Arguments.of(RunEvents.runApproved(), RunEventType.RUN_APPROVED, false, null, null, null),
                Arguments.of(RunEvents.runPaused(), RunEventType.RUN_PAUSED, false, null, null, null),
                Arguments.of(RunEvents.runAuthRequired(), RunEventType.RUN_AUTH_REQUIRED, false, null, null, null),
                Arguments.of(RunEvents.runFailed(ERROR), RunEventType.RUN_FAILED, false, null, null, ERROR),
                Arguments.of(RunEvents.runCanceled(ERROR), RunEventType.RUN_CANCELED, false, null, null, ERROR),
                Arguments.of(RunEvents.stepStarted(STEP, in), RunEventType.STEP_STARTED, true, in, null, null),
                Arguments.of(RunEvents.stepSucceeded(STEP, out), RunEventType.STEP_SUCCEEDED, true, null, out, null),
                Arguments.of(RunEvents.stepFailed(STEP, ERROR), RunEventType.STEP_FAILED, true, null, null, ERROR),
                Arguments.of(RunEvents.stepSkipped(STEP, ERROR), RunEventType.STEP_SKIPPED, true, null, null, ERROR),
                Arguments.of(RunEvents.stepCanceled(STEP, ERROR), RunEventType.STEP_CANCELED, true, null, null, ERROR),
                Arguments.of(RunEvents.stepRetrying(STEP, ERROR), RunEventType.STEP_RETRYING, true, null, null, ERROR),
                Arguments.of(RunEvents.stepApprovalRequested(STEP, in, LINKS), RunEventType.STEP_APPROVAL_REQUESTED,
                        true, in, null, null),
                Arguments.of(RunEvents.stepApproved(STEP, in), RunEventType.STEP_APPROVED, true, in, null, null),
                Arguments.of(RunEvents.stepDenied(STEP, in, ERROR), RunEventType.STEP_DENIED, true, in, null, ERROR),
                Arguments.of(RunEvents.stepAuthRequired(STEP, in, ERROR, CONNECTION), RunEventType.STEP_AUTH_REQUIRED,
                        true, in, null, ERROR),
                Arguments.of(RunEvents.stepConnected(STEP), RunEventType.STEP_CONNECTED, true, null, null, null),
                Arguments.of(RunEvents.stepAwaitingResult(STEP, in, out), RunEventType.STEP_AWAITING_RESULT, true, in,
                        null, null),
                Arguments.of(RunEvents.stepOutcomeUnknown(STEP, in, ERROR, out), RunEventType.STEP_OUTCOME_UNKNOWN,
                        true, in, null, ERROR));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("drafts")
    void eachFactoryMakesItsKindOfEvent(RunEvents.Draft draft, RunEventType type, boolean ofAStep,
            com.fasterxml.jackson.databind.JsonNode input, com.fasterxml.jackson.databind.JsonNode output,
            RunError error) {
        UUID runId = UUID.randomUUID();
        RunEvent event = draft.numbered(runId, 7, RunStatus.RUNNING, Instant.EPOCH);
        assertEquals(type, event.type());
        assertEquals(RunEvent.idFor(runId, 7), event.eventId());
        assertEquals(runId, event.runId());
        assertEquals(7, event.seq());
        assertEquals(RunStatus.RUNNING, event.status());
        assertEquals(Instant.EPOCH, event.at());
        assertEquals(ofAStep ? "A" : null, event.stepId());
        assertEquals(ofAStep ? "step A" : null, event.description());
        assertEquals(input, event.input());
        assertEquals(output, event.output());
        assertEquals(error, event.error());
        boolean asksApproval = type == RunEventType.RUN_APPROVAL_REQUESTED
                || type == RunEventType.STEP_APPROVAL_REQUESTED;
        assertEquals(asksApproval ? LINKS : null, event.approval());
        assertEquals(type == RunEventType.STEP_AUTH_REQUIRED ? CONNECTION : null, event.connect());
        boolean announcesASchema = type == RunEventType.STEP_AWAITING_RESULT
                || type == RunEventType.STEP_OUTCOME_UNKNOWN;
        assertEquals(announcesASchema ? json("{\"out\":1}") : null, event.expects());
    }

    @ParameterizedTest
    @EnumSource(RunStatus.class)
    void aFinishedRunsEventNamesHowItEnded(RunStatus status) {
        RunEventType type = RunEvents.terminal(status);
        RunEventType expected = switch (status) {
        case SUCCESS -> RunEventType.RUN_SUCCEEDED;
        case PARTIAL_SUCCESS -> RunEventType.RUN_PARTIAL_SUCCESS;
        case NO_SUCCESS -> RunEventType.RUN_NO_SUCCESS;
        case CANCELED -> RunEventType.RUN_CANCELED;
        default -> RunEventType.RUN_FAILED;
        };
        assertEquals(expected, type);
        assertEquals(type, RunEvents.runFinished(status, null, null).type());
    }

    @Test
    void aFinishedRunCarriesItsResult() {
        var result = json("{\"A\":1}");
        RunEvent event = RunEvents.runFinished(RunStatus.SUCCESS, result, null).numbered(UUID.randomUUID(), 1,
                RunStatus.SUCCESS, Instant.EPOCH);
        assertEquals(result, event.output());
        assertNull(event.error());
    }

    @Test
    void everyEventTypeHasAFactory() {
        List<RunEventType> made = drafts().map(a -> (RunEventType) a.get()[1]).toList();
        for (RunEventType type : RunEventType.values()) {
            boolean terminal = type.isTerminal();
            assertEquals(true, terminal || made.contains(type), type.toString());
        }
    }
}

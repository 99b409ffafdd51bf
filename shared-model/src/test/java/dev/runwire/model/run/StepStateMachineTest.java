package dev.runwire.model.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every pair of step statuses, against the table written out in docs/adr/0031 (and 0035: OUTCOME_UNKNOWN). */
class StepStateMachineTest {

    /** The allowed moves, spelled out once more here so that a change to the table is a deliberate one. */
    private static final Set<String> ALLOWED = Set.of("PENDING>AWAITING_APPROVAL", "PENDING>AWAITING_CONNECTION",
            "PENDING>AWAITING_RESULT", "PENDING>RUNNING", "PENDING>FAILED", "PENDING>SKIPPED",
            "AWAITING_APPROVAL>RUNNING", "AWAITING_APPROVAL>AWAITING_RESULT", "AWAITING_APPROVAL>SKIPPED",
            "AWAITING_APPROVAL>FAILED", "AWAITING_APPROVAL>CANCELED", "AWAITING_CONNECTION>PENDING",
            "AWAITING_CONNECTION>FAILED", "AWAITING_CONNECTION>CANCELED", "AWAITING_RESULT>SUCCEEDED",
            "AWAITING_RESULT>FAILED", "AWAITING_RESULT>CANCELED", "RUNNING>RUNNING", "RUNNING>SUCCEEDED",
            "RUNNING>FAILED", "RUNNING>AWAITING_CONNECTION", "RUNNING>CANCELED", "RUNNING>OUTCOME_UNKNOWN",
            "OUTCOME_UNKNOWN>SUCCEEDED", "OUTCOME_UNKNOWN>FAILED", "OUTCOME_UNKNOWN>CANCELED");

    static Stream<Arguments> everyPair() {
        List<Arguments> pairs = new ArrayList<>();
        for (StepStatus from : StepStatus.values()) {
            for (StepStatus to : StepStatus.values()) {
                pairs.add(Arguments.of(from, to, ALLOWED.contains(from + ">" + to)));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @MethodSource("everyPair")
    void eachMoveIsAllowedOrRefusedAsTheTableSays(StepStatus from, StepStatus to, boolean allowed) {
        assertEquals(allowed, StepStateMachine.canMove(from, to));
        if (allowed) {
            assertEquals(to, StepStateMachine.move(from, to));
        } else {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> StepStateMachine.move(from, to));
            assertTrue(refused.getMessage().contains(from + " to " + to), refused.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(StepStatus.class)
    void aFinishedStepNeverMovesAndAnUnfinishedOneAlwaysCanEnd(StepStatus from) {
        assertEquals(from.isTerminal(), StepStateMachine.next(from).isEmpty());
        if (!from.isTerminal()) {
            assertTrue(StepStateMachine.next(from).stream().anyMatch(StepStatus::isTerminal), from.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(StepStatus.class)
    void onlyARunningStepStaysWhereItIs(StepStatus status) {
        assertEquals(status == StepStatus.RUNNING, StepStateMachine.canMove(status, status));
    }

    @ParameterizedTest
    @EnumSource(StepStatus.class)
    void whatBlocksDependentsIsAnEndOtherThanSuccess(StepStatus status) {
        assertEquals(status.isTerminal() && status != StepStatus.SUCCEEDED, status.blocksDependents());
    }

    @Test
    void theTableHasTheDocumentedNumberOfMoves() {
        long count = Stream.of(StepStatus.values()).mapToLong(from -> StepStateMachine.next(from).size()).sum();
        assertEquals(ALLOWED.size(), count);
        assertFalse(StepStateMachine.canMove(StepStatus.SUCCEEDED, StepStatus.RUNNING));
    }
}

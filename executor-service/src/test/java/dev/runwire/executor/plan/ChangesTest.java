package dev.runwire.executor.plan;

import static dev.runwire.executor.RunFixture.plan;
import static dev.runwire.executor.RunFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.runwire.executor.RunFixture;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunStateMachine;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;

/** The one way handlers change a run: guarded moves, numbered events, and the transition they add up to. */
class ChangesTest {

    private final RunState run = RunState.fresh(plan(step("A"), step("B", "A")));

    @Test
    void eventsAreNumberedInTheOrderTheyAreEmittedWithTheStatusAtThatMoment() {
        Changes changes = new Changes(run, RunFixture.CLOCK);
        changes.emit(RunEvents.runPaused());
        changes.move(RunStatus.RUNNING);
        changes.emit(RunEvents.runStarted());
        Transition t = changes.transition();
        assertEquals(List.of(1L, 2L), t.events().stream().map(e -> e.seq()).toList());
        assertEquals(List.of(RunStatus.QUEUED, RunStatus.RUNNING), t.events().stream().map(e -> e.status()).toList());
        assertEquals(3, run.nextSeq());
        assertEquals(RunStatus.RUNNING, t.status());
        assertFalse(t.finished());
    }

    @ParameterizedTest
    @EnumSource(RunStatus.class)
    void aRunMovesOnlyAsTheRunTableAllows(RunStatus to) {
        Changes changes = new Changes(run, RunFixture.CLOCK);
        if (RunStateMachine.canMove(RunStatus.QUEUED, to)) {
            changes.move(to);
            assertEquals(to, run.status());
            assertEquals(to.isTerminal(), changes.transition().finished());
        } else {
            assertThrows(IllegalStateException.class, () -> changes.move(to));
            assertEquals(RunStatus.QUEUED, run.status());
        }
    }

    @ParameterizedTest
    @EnumSource(value = StepStatus.class, names = { "SUCCEEDED", "PENDING" })
    void aStepMovesOnlyAsTheStepTableAllows(StepStatus to) {
        Changes changes = new Changes(run, RunFixture.CLOCK);
        assertThrows(IllegalStateException.class, () -> changes.step("A", new PlanState.Step(to, null, null, null)));
        assertEquals(StepStatus.PENDING, run.plan().step("A").status());
    }

    @Test
    void aRunThatWasAlreadyOverIsNotFinishedAgain() {
        Changes first = new Changes(run, RunFixture.CLOCK);
        first.move(RunStatus.CANCELED);
        assertTrue(first.transition().finished());
        assertFalse(new Changes(run, RunFixture.CLOCK).transition().finished());
    }

    @Test
    void launchesAndCancelsAreKeptInOrder() {
        Changes changes = new Changes(run, RunFixture.CLOCK);
        changes.launch(new Launch(run.step("B"), null));
        changes.launch(new Launch(run.step("A"), null, 5));
        changes.cancel("B");
        changes.cancel("A");
        Transition t = changes.transition();
        assertEquals(List.of("B", "A"), t.launches().stream().map(l -> l.step().stepId()).toList());
        assertEquals(5, t.launches().get(1).delayMillis());
        assertEquals(List.of("B", "A"), t.cancels());
        assertFalse(t.isEmpty());
    }

    @Test
    void nothingChangedIsAnEmptyTransition() {
        assertTrue(new Changes(run, RunFixture.CLOCK).transition().isEmpty());
    }

    @Test
    void aTransitionCannotBeChangedAfterwards() {
        Changes changes = new Changes(run, RunFixture.CLOCK);
        changes.emit(RunEvents.runFailed(RunError.of("x", "y")));
        Transition t = changes.transition();
        assertThrows(UnsupportedOperationException.class, () -> t.events().clear());
        assertEquals(RunEventType.RUN_FAILED, t.events().get(0).type());
    }
}

package dev.runwire.model.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RunStateMachineTest {

    @Test
    void finishedRunsNeverMoveAgain() {
        for (RunStatus terminal : RunStatus.values()) {
            if (!terminal.isTerminal()) {
                continue;
            }
            for (RunStatus next : RunStatus.values()) {
                if (next != terminal) {
                    assertFalse(RunStateMachine.canMove(terminal, next), terminal + " -> " + next);
                }
            }
        }
    }

    @Test
    void runsPauseResumeAndEnd() {
        assertEquals(RunStatus.PAUSED, RunStateMachine.move(RunStatus.QUEUED, RunStatus.PAUSED));
        assertTrue(RunStateMachine.canMove(RunStatus.PAUSED, RunStatus.RUNNING));
        assertTrue(RunStateMachine.canMove(RunStatus.RUNNING, RunStatus.PAUSED));
        assertTrue(RunStateMachine.canMove(RunStatus.PAUSED, RunStatus.NO_SUCCESS));
        assertTrue(RunStateMachine.canMove(RunStatus.RUNNING, RunStatus.PARTIAL_SUCCESS));
        assertTrue(RunStateMachine.canMove(RunStatus.QUEUED, RunStatus.CANCELED));
        assertFalse(RunStateMachine.canMove(RunStatus.AUTH_REQUIRED, RunStatus.SUCCESS));
        assertThrows(IllegalStateException.class, () -> RunStateMachine.move(RunStatus.SUCCESS, RunStatus.RUNNING));
    }
}

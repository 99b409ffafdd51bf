package dev.runwire.model.run;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one place that says which step status may follow which, the step's counterpart of {@link RunStateMachine}. The
 * executor moves every step through it, and an illegal move throws (which fails the run rather than storing a state
 * that cannot happen). See docs/adr/0031-executor-run-actor-and-step-status.md for the table and why each move exists.
 */
public final class StepStateMachine {

    private static final Map<StepStatus, Set<StepStatus>> NEXT = new EnumMap<>(StepStatus.class);

    static {
        // a ready step: started, waits for an approval, a connection or its caller's result; or it fails (its input
        // cannot be resolved or checked) or is skipped (a dependency did not succeed, the run failed or expired)
        NEXT.put(StepStatus.PENDING, EnumSet.of(StepStatus.AWAITING_APPROVAL, StepStatus.AWAITING_CONNECTION,
                StepStatus.AWAITING_RESULT, StepStatus.RUNNING, StepStatus.FAILED, StepStatus.SKIPPED));
        // approved (then called, or handed to its caller), denied (skipped), approved with an input that does not
        // match the schema (failed), or the run was aborted or expired while it waited (cancelled)
        NEXT.put(StepStatus.AWAITING_APPROVAL, EnumSet.of(StepStatus.RUNNING, StepStatus.AWAITING_RESULT,
                StepStatus.SKIPPED, StepStatus.FAILED, StepStatus.CANCELED));
        // connected (it becomes ready again), the wait expired or the credentials cannot be opened (failed), aborted
        NEXT.put(StepStatus.AWAITING_CONNECTION,
                EnumSet.of(StepStatus.PENDING, StepStatus.FAILED, StepStatus.CANCELED));
        NEXT.put(StepStatus.AWAITING_RESULT, EnumSet.of(StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.CANCELED));
        // RUNNING -> RUNNING is a retry: the next attempt of the same call; OUTCOME_UNKNOWN: a call that may have
        // reached the provider, of an action that must not be called twice
        NEXT.put(StepStatus.RUNNING, EnumSet.of(StepStatus.RUNNING, StepStatus.SUCCEEDED, StepStatus.FAILED,
                StepStatus.AWAITING_CONNECTION, StepStatus.OUTCOME_UNKNOWN, StepStatus.CANCELED));
        // resolved by its caller (succeeded with an output, or failed), the wait expired (failed), or aborted
        NEXT.put(StepStatus.OUTCOME_UNKNOWN, EnumSet.of(StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.CANCELED));
        for (StepStatus status : StepStatus.values()) {
            if (status.isTerminal()) {
                NEXT.put(status, EnumSet.noneOf(StepStatus.class));
            }
        }
    }

    private StepStateMachine() {
    }

    /** Whether a step in {@code from} may move to {@code to}. Only a running step may "move" to its own status. */
    public static boolean canMove(StepStatus from, StepStatus to) {
        return NEXT.get(from).contains(to);
    }

    /**
     * Checks a move.
     *
     * @throws IllegalStateException
     *             if the move is not allowed
     */
    public static StepStatus move(StepStatus from, StepStatus to) {
        if (!canMove(from, to)) {
            throw new IllegalStateException("step cannot move from " + from + " to " + to);
        }
        return to;
    }

    /** The statuses a step in {@code from} may move to. */
    public static Set<StepStatus> next(StepStatus from) {
        return Set.copyOf(NEXT.get(from));
    }
}

package dev.runwire.model.run;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one place that says which run status may follow which. The executor, the run's single writer, moves every run
 * through it; the read model follows the executor's events in sequence order. See docs/adr/0004-run-state-machine.md.
 */
public final class RunStateMachine {

    private static final Map<RunStatus, Set<RunStatus>> NEXT = new EnumMap<>(RunStatus.class);

    static {
        Set<RunStatus> finished = EnumSet.of(RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS, RunStatus.NO_SUCCESS,
                RunStatus.FAILED, RunStatus.CANCELED);
        NEXT.put(RunStatus.QUEUED, union(finished, RunStatus.RUNNING, RunStatus.PAUSED));
        NEXT.put(RunStatus.RUNNING, union(finished, RunStatus.PAUSED, RunStatus.AUTH_REQUIRED));
        // a denied step can settle a paused run: it ends without running again
        NEXT.put(RunStatus.PAUSED, union(finished, RunStatus.RUNNING, RunStatus.AUTH_REQUIRED));
        // a run waits for a connection (or also for approvals) until the user connects, is denied, or aborts
        NEXT.put(RunStatus.AUTH_REQUIRED,
                union(EnumSet.of(RunStatus.FAILED, RunStatus.CANCELED), RunStatus.RUNNING, RunStatus.PAUSED));
        for (RunStatus terminal : finished) {
            NEXT.put(terminal, EnumSet.noneOf(RunStatus.class));
        }
    }

    private RunStateMachine() {
    }

    /** Whether a run in {@code from} may move to {@code to}. Staying in the same status is allowed. */
    public static boolean canMove(RunStatus from, RunStatus to) {
        return from == to || NEXT.get(from).contains(to);
    }

    /**
     * Checks a transition.
     *
     * @throws IllegalStateException
     *             if the transition is not allowed
     */
    public static RunStatus move(RunStatus from, RunStatus to) {
        if (!canMove(from, to)) {
            throw new IllegalStateException("run cannot move from " + from + " to " + to);
        }
        return to;
    }

    private static Set<RunStatus> union(Set<RunStatus> base, RunStatus... more) {
        EnumSet<RunStatus> all = EnumSet.copyOf(base);
        all.addAll(Set.of(more));
        return all;
    }
}

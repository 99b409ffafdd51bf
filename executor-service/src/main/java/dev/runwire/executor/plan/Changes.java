package dev.runwire.executor.plan;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import dev.runwire.model.run.RunStateMachine;
import dev.runwire.model.run.RunStatus;

/**
 * The changes one input makes to a run, as the handlers make them: run moves through {@link RunStateMachine}, step
 * moves through {@link PlanState#set} (and so {@link dev.runwire.model.run.StepStateMachine}), events numbered in the
 * order they happen, calls to start and to cancel. {@link #transition()} is what the run actor stores and carries out.
 * Several handlers may add to one {@code Changes} (a run taken up again applies every command that waited).
 */
public final class Changes {

    private final RunState run;
    private final Clock clock;
    private final RunStatus before;
    private final List<dev.runwire.model.event.RunEvent> events = new ArrayList<>();
    private final List<Launch> launches = new ArrayList<>();
    private final List<String> cancels = new ArrayList<>();

    public Changes(RunState run, Clock clock) {
        this.run = run;
        this.clock = clock;
        this.before = run.status();
    }

    public RunState run() {
        return run;
    }

    public PlanState plan() {
        return run.plan();
    }

    public Clock clock() {
        return clock;
    }

    /** Moves the run. */
    public void move(RunStatus next) {
        run.status(RunStateMachine.move(run.status(), next));
    }

    /** Moves a step. */
    public void step(String stepId, PlanState.Step next) {
        run.plan().set(stepId, next);
    }

    /** Adds the event as the run's next, reporting the run's status as it is now. */
    public void emit(RunEvents.Draft draft) {
        events.add(draft.numbered(run.runId(), run.takeSeq(), run.status(), clock.instant()));
    }

    public void launch(Launch launch) {
        launches.add(launch);
    }

    public void launchAll(List<Launch> more) {
        launches.addAll(more);
    }

    /** The step's call in flight, if any, is cancelled. */
    public void cancel(String stepId) {
        cancels.add(stepId);
    }

    public List<Launch> launches() {
        return launches;
    }

    public Transition transition() {
        return new Transition(run.status(), events, launches, cancels,
                !before.isTerminal() && run.status().isTerminal());
    }
}

package dev.runwire.executor.plan;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.runwire.executor.integration.PassThrough;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.run.RunStatus;

/**
 * One run as the executor holds it in memory: its command, where its steps stand, its status and the number its next
 * event gets. The handlers ({@link PlanScheduler} and the approval, credential and step handlers) change it only
 * through a {@link Changes}, which records the {@link Transition} the run actor then stores, publishes and carries out.
 * No I/O, no locking: the run actor owns it and calls the handlers one command at a time.
 */
public final class RunState {

    private final UUID runId;
    private final UUID ownerId;
    private RunRequested command;
    private PlanState plan;
    private RunStatus status = RunStatus.QUEUED;
    private long nextSeq = 1;
    private List<PassThrough> passThrough = List.of();
    /** Steps that asked for a refreshed token because theirs was about to end (once each, so none can loop). */
    private final Set<String> refreshedForExpiry = new HashSet<>();

    public RunState(UUID runId, UUID ownerId) {
        this.runId = runId;
        this.ownerId = ownerId;
    }

    /** A run just requested: every step pending, nothing emitted yet. */
    public static RunState fresh(RunRequested command) {
        RunState state = new RunState(command.runId(), command.ownerId());
        state.command = command;
        state.plan = PlanState.fresh(command);
        return state;
    }

    /** A stored run taken up again: its status, its next event number and (for a requested run) its steps. */
    public void load(RunStatus storedStatus, long storedNextSeq, RunRequested storedCommand, PlanState storedPlan) {
        status = storedStatus;
        nextSeq = storedNextSeq;
        if (storedCommand != null) {
            command = storedCommand;
            plan = storedPlan;
        }
    }

    public UUID runId() {
        return runId;
    }

    public UUID ownerId() {
        return ownerId;
    }

    /** The requested run; null until its command came (an abort may come first) or was loaded. */
    public RunRequested command() {
        return command;
    }

    public void command(RunRequested requested) {
        command = requested;
    }

    /** Where the steps stand; null until the run's command came or was loaded. */
    public PlanState plan() {
        return plan;
    }

    public void plan(PlanState loaded) {
        plan = loaded;
    }

    public RunStatus status() {
        return status;
    }

    /** Moves the run; only {@link Changes} does, through {@link dev.runwire.model.run.RunStateMachine}. */
    void status(RunStatus next) {
        status = next;
    }

    public long nextSeq() {
        return nextSeq;
    }

    /** Takes the next event number. */
    long takeSeq() {
        return nextSeq++;
    }

    /** The run's pass-through data, opened (the request's, then the connections made since). */
    public List<PassThrough> passThrough() {
        return passThrough;
    }

    public void passThrough(List<PassThrough> opened) {
        passThrough = opened;
    }

    /** Whether the step asked for a refreshed token before; records that it does now. */
    public boolean firstRefreshFor(String stepId) {
        return refreshedForExpiry.add(stepId);
    }

    /** The plan's step with this id. */
    public PlanStep step(String stepId) {
        return command.steps().stream().filter(s -> s.stepId().equals(stepId)).findFirst().orElseThrow();
    }

    /**
     * The connection a step waits for, or null: its integration refused the credentials, or had no account when the run
     * was accepted and none came since.
     */
    public RunRequested.Connection awaitedConnection(PlanStep step) {
        if (step.action().http() == null) {
            return null;
        }
        String key = step.action().http().integrationKey();
        RunRequested.Connection refusal = plan.refusal(key);
        if (refusal != null) {
            return refusal;
        }
        if (command.awaitingConnections() == null || plan.connected(key)) {
            return null;
        }
        return command.awaitingConnections().stream().filter(c -> c.integrationKey().equals(key)).findFirst()
                .orElse(null);
    }
}

package dev.runwire.executor.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStateMachine;
import dev.runwire.model.run.StepStatus;

/**
 * Where each step of one run stands and what follows from it: which steps may start, which can never run, and how the
 * run ends. No I/O; the executor persists it as JSON after every change.
 */
public final class PlanState {

    /**
     * One step's progress; {@code input} is the input awaiting approval, or the approved (maybe edited) one;
     * {@code attempt} the number of the call in flight (or next) while it runs, stored so that a restart or another
     * executor taking the run over does not give the step its attempts again (null: the first).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(StepStatus status, JsonNode input, JsonNode output, RunError error, Integer attempt) {

        public static final Step PENDING = new Step(StepStatus.PENDING, null, null, null);

        @JsonCreator
        public Step {
        }

        public Step(StepStatus status, JsonNode input, JsonNode output, RunError error) {
            this(status, input, output, error, null);
        }

        public static Step running(JsonNode input) {
            return new Step(StepStatus.RUNNING, input, null, null);
        }

        /** The attempt this step's call is at: 1 for the first. */
        public int attempts() {
            return attempt == null ? 1 : attempt;
        }

        public Step nextAttempt() {
            return new Step(status, input, output, error, attempts() + 1);
        }
    }

    /**
     * The stored form: whether the run's start was approved (or needed no approval), its steps, and the connections
     * provided since it was accepted (integration key to sealed pass-through entries, bound to the run), and the
     * integrations whose credentials were refused since (their steps wait for a new connection).
     */
    private record Stored(boolean started, LinkedHashMap<String, Step> steps,
            LinkedHashMap<String, SealedSecret> connections, LinkedHashMap<String, RunRequested.Connection> refused) {
    }

    /** How the run ended. */
    public record Ending(RunStatus status, JsonNode result, RunError error) {
    }

    private final LinkedHashMap<String, Step> steps;
    private final LinkedHashMap<String, SealedSecret> connections;
    private final LinkedHashMap<String, RunRequested.Connection> refused;
    private boolean started;

    private PlanState(boolean started, LinkedHashMap<String, Step> steps,
            LinkedHashMap<String, SealedSecret> connections, LinkedHashMap<String, RunRequested.Connection> refused) {
        this.started = started;
        this.steps = steps;
        this.connections = connections == null ? new LinkedHashMap<>() : connections;
        this.refused = refused == null ? new LinkedHashMap<>() : refused;
    }

    public static PlanState fresh(RunRequested command) {
        LinkedHashMap<String, Step> steps = new LinkedHashMap<>();
        command.steps().forEach(step -> steps.put(step.stepId(), Step.PENDING));
        return new PlanState(!RunRequested.ON_START.equals(command.approvalStrategy()), steps, null, null);
    }

    public static PlanState fromJson(String json) {
        Stored stored = Json.read(json, Stored.class);
        return new PlanState(stored.started(), stored.steps(), stored.connections(), stored.refused());
    }

    public String toJson() {
        return Json.write(new Stored(started, steps, connections, refused));
    }

    /** Whether the run may start steps: its start was approved, or needed no approval. */
    public boolean started() {
        return started;
    }

    public void start() {
        started = true;
    }

    /** The connections provided since the run was accepted, in the order they came. */
    public Map<String, SealedSecret> connections() {
        return connections;
    }

    public void connect(String integrationKey, SealedSecret passThrough) {
        connections.put(integrationKey, passThrough);
        refused.remove(integrationKey);
    }

    /** Whether a connection to the integration came since the run was accepted and was not refused since. */
    public boolean connected(String integrationKey) {
        return connections.containsKey(integrationKey);
    }

    /** The integration refused its credentials: its steps wait until a new connection comes. */
    public void refuse(RunRequested.Connection refusal) {
        connections.remove(refusal.integrationKey());
        refused.put(refusal.integrationKey(), refusal);
    }

    /** Why the integration's steps wait, when its credentials were refused; null otherwise. */
    public RunRequested.Connection refusal(String integrationKey) {
        return refused.get(integrationKey);
    }

    /** The step ids in plan order. */
    public java.util.Set<String> stepIds() {
        return steps.keySet();
    }

    public Step step(String stepId) {
        return steps.get(stepId);
    }

    /**
     * Moves a step; the move must be one {@link StepStateMachine} allows.
     *
     * @throws IllegalStateException
     *             if it is not
     */
    public void set(String stepId, Step step) {
        Step current = steps.get(stepId);
        if (current != null) {
            StepStateMachine.move(current.status(), step.status());
        }
        steps.put(stepId, step);
    }

    /** Pending steps whose dependencies have all succeeded, in plan order. */
    public List<PlanStep> ready(RunRequested command) {
        return command.steps().stream().filter(step -> steps.get(step.stepId()).status() == StepStatus.PENDING).filter(
                step -> step.dependsOn().stream().allMatch(dep -> steps.get(dep).status() == StepStatus.SUCCEEDED))
                .toList();
    }

    /** Pending steps that can never run because a dependency failed, was skipped or cancelled. */
    public List<PlanStep> blocked(RunRequested command) {
        return command.steps().stream().filter(step -> steps.get(step.stepId()).status() == StepStatus.PENDING)
                .filter(step -> step.dependsOn().stream().anyMatch(dep -> steps.get(dep).status().blocksDependents()))
                .toList();
    }

    public List<String> withStatus(StepStatus status) {
        List<String> ids = new ArrayList<>();
        steps.forEach((id, step) -> {
            if (step.status() == status) {
                ids.add(id);
            }
        });
        return ids;
    }

    /** Whether every step has reached an end (none pending, awaiting approval or a connection, or running). */
    public boolean settled() {
        return steps.values().stream().allMatch(s -> s.status().isTerminal());
    }

    /** Outputs of the steps that succeeded, by step id. */
    public Map<String, JsonNode> outputs() {
        Map<String, JsonNode> outputs = new LinkedHashMap<>();
        steps.forEach((id, step) -> {
            if (step.status() == StepStatus.SUCCEEDED) {
                outputs.put(id, step.output());
            }
        });
        return outputs;
    }

    /**
     * How a settled run ends. A single action run is its step: its output or its error. A plan succeeds when every step
     * did, partly when some did, not at all when none did; its result holds each succeeded step's output under the
     * step's id.
     */
    public Ending ending(RunRequested command) {
        if (command.kindOrDefault() == RunRequested.Kind.ACTION) {
            Step only = steps.values().iterator().next();
            return only.status() == StepStatus.SUCCEEDED ? new Ending(RunStatus.SUCCESS, only.output(), null)
                    : new Ending(RunStatus.FAILED, null, only.error());
        }
        Map<String, JsonNode> outputs = outputs();
        ObjectNode result = Json.mapper().createObjectNode();
        outputs.forEach(result::set);
        RunStatus status = outputs.size() == steps.size() ? RunStatus.SUCCESS
                : outputs.isEmpty() ? RunStatus.NO_SUCCESS : RunStatus.PARTIAL_SUCCESS;
        return new Ending(status, result, null);
    }
}

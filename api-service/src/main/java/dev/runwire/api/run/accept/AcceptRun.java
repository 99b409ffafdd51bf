package dev.runwire.api.run.accept;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Principal;
import dev.runwire.api.idempotency.Idempotency;
import dev.runwire.api.planner.PlanView;
import dev.runwire.api.run.RunStore;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;

/**
 * A run checked and ready to be accepted, whichever surface asked for it. Built with {@link #action} (one step, one
 * {@link RunSubject}) or {@link #plan}, then the optional parts.
 */
public final class AcceptRun {

    final Principal who;
    final RunRequested.Kind kind;
    final RunSubject subject;
    final List<PlanStep> steps;
    final PlanView view;
    final String userId;
    final String intent;
    final List<String> integrationKeys;
    String context = "";
    String repeatKey = "rk_" + UUID.randomUUID();
    UUID repeatRunId;
    UUID executionPlanId = UUID.randomUUID();
    JsonNode outputSchema;
    JsonNode passThrough;
    String approvalStrategy = "NONE";
    List<String> missingConnections = List.of();
    RunStore.Delivery delivery = RunStore.Delivery.NATIVE;
    Idempotency.Claim claim = Idempotency.Claim.NONE;
    boolean waitForEnd;
    Function<UUID, Uni<Void>> onAccepted;

    private AcceptRun(Principal who, RunRequested.Kind kind, RunSubject subject, List<PlanStep> steps, PlanView view,
            String userId, String intent) {
        this.who = who;
        this.kind = kind;
        this.subject = subject;
        this.steps = steps;
        this.view = view;
        this.userId = userId;
        this.intent = intent;
        this.integrationKeys = steps.stream().filter(s -> s.action().http() != null)
                .map(s -> s.action().http().integrationKey()).distinct().toList();
    }

    /** A run of one action, as the step {@code stepId}. */
    public static AcceptRun action(Principal who, RunSubject subject, PlanStep step, String userId) {
        return new AcceptRun(who, RunRequested.Kind.ACTION, subject, List.of(step),
                PlanView.of(null, subject.intent(), List.of(step)), userId, subject.intent());
    }

    /** A run of a plan; {@code view} is the plan as the run shows it. */
    public static AcceptRun plan(Principal who, List<PlanStep> steps, PlanView view, String userId, String intent) {
        return new AcceptRun(who, RunRequested.Kind.PLAN, null, steps, view, userId, intent);
    }

    public AcceptRun context(String context) {
        this.context = context == null ? "" : context;
        return this;
    }

    public AcceptRun repeat(String repeatKey, UUID repeatRunId, UUID executionPlanId) {
        this.repeatKey = repeatKey;
        this.repeatRunId = repeatRunId;
        this.executionPlanId = executionPlanId;
        return this;
    }

    public AcceptRun outputSchema(JsonNode outputSchema) {
        this.outputSchema = outputSchema;
        return this;
    }

    /** The pass-through data (credentials) the run carries, sealed for it when accepted. */
    public AcceptRun passThrough(JsonNode passThrough) {
        this.passThrough = passThrough;
        return this;
    }

    /** NONE, ON_START or ON_TOOL_CALL (null: NONE). */
    public AcceptRun approvalStrategy(String approvalStrategy) {
        this.approvalStrategy = approvalStrategy == null ? "NONE" : approvalStrategy;
        return this;
    }

    /** Integrations whose steps wait in AUTH_REQUIRED until the user connects an account. */
    public AcceptRun missingConnections(List<String> missing) {
        this.missingConnections = missing;
        return this;
    }

    public AcceptRun delivery(RunStore.Delivery delivery) {
        this.delivery = delivery;
        return this;
    }

    /** The idempotency claim of the request: the run is bound to it in the statement that writes the run. */
    public AcceptRun claim(Idempotency.Claim claim) {
        this.claim = claim;
        return this;
    }

    /**
     * What the surface records about the run once it is committed and before any wait for its end (the MCP call's
     * request id, ADR 0034); null: nothing.
     */
    public AcceptRun onAccepted(Function<UUID, Uni<Void>> onAccepted) {
        this.onAccepted = onAccepted;
        return this;
    }

    /** Whether the caller waits for the run's end (up to the sync wait). */
    public AcceptRun waitForEnd(boolean wait) {
        this.waitForEnd = wait;
        return this;
    }
}

package dev.runwire.api.run;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

import dev.runwire.api.action.RunnableActions;
import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.api.action.Schemas;
import dev.runwire.api.auth.Principal;
import dev.runwire.api.callback.CallbackUrls;
import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.connection.ConnectedAccounts;
import dev.runwire.api.error.ApiException;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.idempotency.Idempotency;
import dev.runwire.model.command.ActionSpec;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunAbortRequested;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.json.Json;
import dev.runwire.model.plan.StepInputs;
import dev.runwire.model.run.RunStatus;

/**
 * Runs with plans ({@code POST /v1/runs}) and aborts: checks the request and the plan against the owner's actions,
 * records run and command atomically, publishes. Repeats run the stored plan of the run holding the repeat key.
 */
@ApplicationScoped
public class PlanRunService {

    private static final Set<String> STRATEGIES = Set.of("NONE", "ON_START", "ON_TOOL_CALL");

    private final RunnableActions actions;
    private final Schemas schemas;
    private final RunStore store;
    private final CommandPublisher publisher;
    private final PassThroughSealer sealer;
    private final RunFeed waiters;
    private final ApiConfig config;
    private final MeterRegistry registry;
    private final Planner planner;
    private final CallbackUrls callbacks;
    private final ConnectedAccounts connections;

    PlanRunService(RunnableActions actions, Schemas schemas, RunStore store, CommandPublisher publisher,
            PassThroughSealer sealer, RunFeed waiters, ApiConfig config, MeterRegistry registry, Planner planner,
            CallbackUrls callbacks, ConnectedAccounts connections) {
        this.callbacks = callbacks;
        this.connections = connections;
        this.planner = planner;
        this.actions = actions;
        this.schemas = schemas;
        this.store = store;
        this.publisher = publisher;
        this.sealer = sealer;
        this.waiters = waiters;
        this.config = config;
        this.registry = registry;
    }

    /** The seed's CreateRunResponse. */
    public record Created(UUID runId, String repeatKey, String status, List<Object> events, UUID executionPlanId,
            PlanView plan, UUID repeatRunId) {
    }

    /**
     * Creates a run. When an earlier request with the idempotency key created the run before its replica died, answers
     * as that request would have, with that run.
     */
    public Uni<Created> create(Principal who, CreateRunRequest body, Idempotency.Claim claim) {
        validate(body);
        if (claim.runExists()) {
            return existing(who.ownerId(), claim.runId());
        }
        // compiled once here so a broken or remote-referencing schema is refused before anything is written
        return schemas.check(body.outputSchema(), "/outputSchema").chain(() -> created(who, body, claim));
    }

    /** The answer the request that created the run gave (a new run is QUEUED). */
    private Uni<Created> existing(UUID ownerId, UUID runId) {
        return store.findRun(ownerId, runId).map(row -> {
            if (row == null) {
                throw new IllegalStateException("the run bound to an idempotency key is missing");
            }
            return new Created(runId, row.getString("repeat_key"), RunStatus.QUEUED.name(), List.of(),
                    row.getUUID("execution_plan_id"), Json.read(row.getString("plan_json"), PlanView.class),
                    row.getUUID("repeat_run_id"));
        });
    }

    private Uni<Created> created(Principal who, CreateRunRequest body, Idempotency.Claim claim) {
        UUID ownerId = who.ownerId();
        if (body.repeatKey() == null) {
            return planned(who, body, "rk_" + UUID.randomUUID(), claim);
        }
        return store.findByRepeatKey(ownerId, body.repeatKey()).chain(original -> {
            if (original == null) {
                return planned(who, body, body.repeatKey(), claim);
            }
            if (body.plan() != null) {
                throw ApiException.invalid("plan_and_repeat",
                        "repeatKey names an earlier run whose plan is repeated; do not give a plan too", "/plan");
            }
            PlanView stored = Json.read(original.getString("plan_json"), PlanView.class);
            return plan(who, body, stored.plan(), body.repeatKey(), original.getUUID("id"),
                    original.getUUID("execution_plan_id"), claim);
        });
    }

    /** The request's own plan, or else one the planner makes from the intent. */
    private Uni<Created> planned(Principal who, CreateRunRequest body, String repeatKey, Idempotency.Claim claim) {
        UUID ownerId = who.ownerId();
        if (body.plan() != null || !planner.configured()) {
            return plan(who, body, body.plan(), repeatKey, null, UUID.randomUUID(), claim);
        }
        List<String> selected = body.selectedCustomerIntegrationIds();
        return actions.activeLatest(ownerId, planner.maxActions())
                .map(all -> all.stream().filter(a -> a.baseUrl() != null)
                        .filter(a -> selected.contains("*") || selected.contains(a.parsed().http().integrationKey()))
                        .toList())
                .chain(usable -> planner.plan(body.intent(), body.context(), usable))
                // deferred: the checks throw, and their 422 must become the planner's fault
                .chain(proposed -> Uni.createFrom()
                        .deferred(() -> plan(who, body, proposed, repeatKey, null, UUID.randomUUID(), claim))
                        .onFailure(failure -> failure instanceof ApiException api && api.status() == 422)
                        .transform(failure -> Planner.invalidPlan((ApiException) failure)));
    }

    private Uni<Created> plan(Principal who, CreateRunRequest body, PlanView.Plan plan, String repeatKey,
            UUID repeatRunId, UUID executionPlanId, Idempotency.Claim claim) {
        UUID ownerId = who.ownerId();
        if (plan == null) {
            throw ApiException.invalid("plan_required",
                    "give a plan: no planner is configured to make one from the intent", "/plan");
        }
        List<ErrorObject> problems = PlanChecks.check(plan, "/plan");
        if (!problems.isEmpty()) {
            throw ApiException.invalid(problems);
        }
        Set<String> keys = new LinkedHashSet<>();
        plan.steps().forEach(step -> keys.add(step.action().key()));
        return actions.versions(ownerId, keys).chain(versions -> {
            List<Schemas.Input> inputs = new ArrayList<>();
            List<ErrorObject> errors = new ArrayList<>();
            List<PlanStep> steps = resolve(plan, versions, body.selectedCustomerIntegrationIds(), inputs, errors);
            return schemas.inputViolations(inputs).chain(all -> {
                for (int i = 0; i < inputs.size(); i++) {
                    String at = inputs.get(i).pointer();
                    all.get(i).forEach(
                            v -> errors.add(ApiException.violation("input_invalid", v.message(), at + v.pointer())));
                }
                if (!errors.isEmpty()) {
                    throw ApiException.invalid(errors);
                }
                return accept(who, body, plan, steps, repeatKey, repeatRunId, executionPlanId, claim);
            });
        });
    }

    /** Pins each step's action version and checks what can be checked before the run. */
    private List<PlanStep> resolve(PlanView.Plan plan, Map<String, List<RunnableAction>> versions,
            List<String> selected, List<Schemas.Input> inputs, List<ErrorObject> errors) {
        List<PlanStep> steps = new ArrayList<>();
        boolean all = selected.contains("*");
        for (int i = 0; i < plan.steps().size(); i++) {
            PlanView.Step step = plan.steps().get(i);
            String at = "/plan/steps/" + i;
            List<RunnableAction> known = versions.getOrDefault(step.action().key(), List.of());
            RunnableAction action = known.stream()
                    .filter(v -> step.action().version() == null || v.version() == step.action().version()).findFirst()
                    .orElse(null);
            if (action == null) {
                errors.add(ApiException.violation("unknown_action",
                        "no action " + step.action().key()
                                + (step.action().version() == null ? "" : " version " + step.action().version()),
                        at + "/action"));
                continue;
            }
            if (!known.get(0).active()) {
                errors.add(ApiException.violation("action_inactive", "the action " + action.key() + " is inactive",
                        at + "/action/key"));
                continue;
            }
            ActionSpec spec = RunnableActions.spec(action);
            if (action.baseUrl() == null) {
                errors.add(ApiException.violation("integration_missing", "the action's integration no longer exists",
                        at + "/action/key"));
                continue;
            }
            if (!action.integrationActive()) {
                errors.add(ApiException.violation("integration_inactive", "the action's integration is inactive",
                        at + "/action/key"));
                continue;
            }
            if (!all && !selected.contains(spec.http().integrationKey())) {
                errors.add(ApiException.violation("integration_not_selected", "the action's integration "
                        + spec.http().integrationKey() + " is not among selectedCustomerIntegrationIds",
                        at + "/action/key"));
                continue;
            }
            JsonNode input = step.input() == null || step.input().isNull() ? Json.mapper().createObjectNode()
                    : step.input();
            // inputs that take values from earlier steps are checked by the executor once those values exist
            if (StepInputs.references(input).isEmpty()) {
                // checked off the event loop once every step is resolved
                inputs.add(new Schemas.Input(action.id(), action.inputSchema(), input, at + "/input"));
            }
            errors.addAll(RunService.headerValueViolations(spec, input, at + "/input"));
            steps.add(new PlanStep(step.id(), step.description(),
                    step.dependsOnSteps() == null ? List.of() : step.dependsOnSteps(), spec, input));
        }
        return steps;
    }

    private Uni<Created> accept(Principal who, CreateRunRequest body, PlanView.Plan plan, List<PlanStep> steps,
            String repeatKey, UUID repeatRunId, UUID executionPlanId, Idempotency.Claim claim) {
        List<String> integrationKeys = steps.stream().map(s -> s.action().http().integrationKey()).distinct().toList();
        return connections.passThrough(who.ownerId(), body.userId(), null, integrationKeys, body.passThrough())
                .chain(resolved -> accept(who, body, plan, steps, repeatKey, repeatRunId, executionPlanId,
                        integrationKeys, resolved, claim));
    }

    private Uni<Created> accept(Principal who, CreateRunRequest body, PlanView.Plan plan, List<PlanStep> steps,
            String repeatKey, UUID repeatRunId, UUID executionPlanId, List<String> integrationKeys,
            ConnectedAccounts.Resolved resolved, Idempotency.Claim claim) {
        UUID ownerId = who.ownerId();
        UUID runId = UUID.randomUUID();
        String strategy = body.approvalStrategy() == null || "NONE".equals(body.approvalStrategy()) ? null
                : body.approvalStrategy();
        RunRequested command = new RunRequested(runId, ownerId, Instant.now(), RunRequested.Kind.PLAN, steps,
                body.outputSchema(), sealer.seal(resolved.passThrough(), runId), strategy,
                // steps of these integrations wait in AUTH_REQUIRED until the user connects an account
                resolved.missing().isEmpty() ? null : resolved.missing().stream()
                        .map(key -> RunRequested.Connection.missing(key, body.userId())).toList(),
                body.userId());
        PlanView view = PlanView.of(plan.title(), plan.description() == null ? body.intent() : plan.description(),
                steps);
        RunStore.NewRun run = new RunStore.NewRun(runId, ownerId, body.userId(), null, null, null, body.intent(),
                body.context() == null ? "" : body.context(), repeatKey, repeatRunId, executionPlanId, view,
                body.approvalStrategy() == null ? "NONE" : body.approvalStrategy(), integrationKeys,
                OffsetDateTime.now(ZoneOffset.UTC), RunStore.Delivery.nativeTo(body.callbackUrl()),
                RunStore.Billing.of(who), resolved.missing(), claim);
        registry.counter("runwire.runs.accepted").increment();
        return store.insertWithCommand(run, command, RunRequested.TYPE).map(outboxId -> {
            publisher.publishCommitted(command, RunRequested.TYPE, outboxId);
            return new Created(runId, repeatKey, RunStatus.QUEUED.name(), List.of(), executionPlanId, view,
                    repeatRunId);
        });
    }

    /** An abort's answer: the run and the status it has once the abort took effect (or the wait ended). */
    public record Aborted(UUID runId, String status) {
    }

    /**
     * Aborts a run. A finished run is left as it is and answered with its status: the seed documents 200, 401 and 404
     * only, and aborting what has ended is harmless, so the caller learns how it ended instead of taking an error
     * branch.
     */
    public Uni<Aborted> abort(UUID ownerId, UUID runId) {
        return store.findRun(ownerId, runId).chain(row -> {
            if (row == null) {
                throw ApiException.notFound("no run with id " + runId);
            }
            RunStatus status = RunStatus.valueOf(row.getString("status"));
            if (status.isTerminal()) {
                return Uni.createFrom().item(new Aborted(runId, status.name()));
            }
            RunAbortRequested command = new RunAbortRequested(runId, ownerId, Instant.now());
            CompletableFuture<RunEvent> end = waiters.register(runId);
            return store.insertCommand(runId, command, RunAbortRequested.TYPE).onFailure()
                    .invoke(() -> waiters.forget(runId)).chain(outboxId -> {
                        publisher.publishCommitted(command, RunAbortRequested.TYPE, outboxId);
                        return Uni.createFrom().completionStage(end).ifNoItem().after(config.run().syncWait())
                                .recoverWithItem(() -> null).map(terminal -> {
                                    if (terminal == null) {
                                        waiters.forget(runId);
                                        return new Aborted(runId, status.name());
                                    }
                                    return new Aborted(runId, terminal.status().name());
                                });
                    });
        });
    }

    private void validate(CreateRunRequest body) {
        if (body == null) {
            throw ApiException.invalid("missing_body", "a JSON body is required", "");
        }
        List<ErrorObject> errors = new ArrayList<>();
        if (body.intent() == null || body.intent().isBlank() || body.intent().length() > 10_000) {
            errors.add(ApiException.violation("missing_intent", "intent is required (1-10000 characters)", "/intent"));
        }
        if (body.selectedCustomerIntegrationIds() == null) {
            errors.add(ApiException.violation("missing_integrations",
                    "selectedCustomerIntegrationIds is required (use [\"*\"] for all)",
                    "/selectedCustomerIntegrationIds"));
        } else {
            for (int i = 0; i < body.selectedCustomerIntegrationIds().size(); i++) {
                String id = body.selectedCustomerIntegrationIds().get(i);
                if (id == null || id.isBlank()) {
                    errors.add(ApiException.violation("invalid_integration", "an integration id is a non-empty string",
                            "/selectedCustomerIntegrationIds/" + i));
                }
            }
        }
        if (body.userId() == null || body.userId().isBlank() || body.userId().length() > 256) {
            errors.add(ApiException.violation("missing_user_id", "userId is required (1-256 characters)", "/userId"));
        }
        if (body.context() != null && body.context().length() > 100_000) {
            errors.add(ApiException.violation("invalid_context", "context is at most 100000 characters", "/context"));
        }
        if (body.approvalStrategy() != null && !STRATEGIES.contains(body.approvalStrategy())) {
            errors.add(ApiException.violation("invalid_approval_strategy",
                    "approvalStrategy is one of NONE, ON_START, ON_TOOL_CALL", "/approvalStrategy"));
        }
        if (body.repeatKey() != null && (body.repeatKey().isBlank() || body.repeatKey().length() > 256)) {
            errors.add(ApiException.violation("invalid_repeat_key", "repeatKey is 1-256 characters", "/repeatKey"));
        }
        if (body.outputSchema() != null && !body.outputSchema().isNull() && !body.outputSchema().isObject()) {
            errors.add(ApiException.violation("invalid_schema", "outputSchema must be a JSON Schema object",
                    "/outputSchema"));
        }
        PassThroughCheck.check(body.passThrough(), errors);
        callbacks.check(body.callbackUrl(), "/callbackUrl", errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }
}

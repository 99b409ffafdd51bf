package dev.runwire.api.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.action.RunnableActions;
import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.api.action.Schemas;
import dev.runwire.api.auth.Principal;
import dev.runwire.api.callback.CallbackUrls;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.idempotency.Idempotency;
import dev.runwire.api.outbox.CommandPublisher;
import dev.runwire.api.outbox.OutboxCommand;
import dev.runwire.api.outbox.OutboxStore;
import dev.runwire.api.planner.PlanChecks;
import dev.runwire.api.planner.PlanView;
import dev.runwire.api.planner.Planner;
import dev.runwire.api.run.accept.AcceptRun;
import dev.runwire.api.run.accept.RunAcceptor;
import dev.runwire.api.run.accept.RunCredentials;
import dev.runwire.api.run.accept.RunWaiter;
import dev.runwire.api.run.accept.RunnableCheck;
import dev.runwire.model.command.ActionSpec;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunAbortRequested;
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
    private final OutboxStore outbox;
    private final RunAcceptor acceptor;
    private final RunWaiter waiter;
    private final Planner planner;
    private final CallbackUrls callbacks;
    private final RunCredentials credentials;

    PlanRunService(RunnableActions actions, Schemas schemas, RunStore store, CommandPublisher publisher,
            OutboxStore outbox, RunAcceptor acceptor, RunWaiter waiter, Planner planner, CallbackUrls callbacks,
            RunCredentials credentials) {
        this.actions = actions;
        this.schemas = schemas;
        this.store = store;
        this.publisher = publisher;
        this.outbox = outbox;
        this.acceptor = acceptor;
        this.waiter = waiter;
        this.planner = planner;
        this.callbacks = callbacks;
        this.credentials = credentials;
    }

    /** The runs API's CreateRunResponse. */
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
        return store.run(ownerId, runId).map(run -> {
            if (run == null) {
                throw new IllegalStateException("the run bound to an idempotency key is missing");
            }
            return new Created(runId, run.repeatKey(), RunStatus.QUEUED.name(), List.of(), run.executionPlanId(),
                    Json.read(run.planJson(), PlanView.class), run.repeatRunId());
        });
    }

    private Uni<Created> created(Principal who, CreateRunRequest body, Idempotency.Claim claim) {
        UUID ownerId = who.ownerId();
        if (body.repeatKey() == null) {
            return planned(who, body, "rk_" + UUID.randomUUID(), claim);
        }
        return store.firstWithRepeatKey(ownerId, body.repeatKey()).chain(original -> {
            if (original == null) {
                return planned(who, body, body.repeatKey(), claim);
            }
            if (body.plan() != null) {
                throw new Invalid("plan_and_repeat",
                        "repeatKey names an earlier run whose plan is repeated; do not give a plan too", "/plan");
            }
            PlanView stored = Json.read(original.planJson(), PlanView.class);
            return plan(who, body, stored.plan(), body.repeatKey(), original.id(), original.executionPlanId(), claim);
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
                        .onFailure(Invalid.class).transform(failure -> Planner.invalidPlan((Invalid) failure)));
    }

    private Uni<Created> plan(Principal who, CreateRunRequest body, PlanView.Plan plan, String repeatKey,
            UUID repeatRunId, UUID executionPlanId, Idempotency.Claim claim) {
        UUID ownerId = who.ownerId();
        if (plan == null) {
            throw new Invalid("plan_required", "give a plan: no planner is configured to make one from the intent",
                    "/plan");
        }
        List<Problem> problems = PlanChecks.check(plan, "/plan");
        if (!problems.isEmpty()) {
            throw new Invalid(problems);
        }
        Set<String> keys = new LinkedHashSet<>();
        plan.steps().forEach(step -> keys.add(step.action().key()));
        return actions.versions(ownerId, keys).chain(versions -> {
            List<Schemas.Input> inputs = new ArrayList<>();
            List<Problem> errors = new ArrayList<>();
            List<PlanStep> steps = resolve(plan, versions, body.selectedCustomerIntegrationIds(), inputs, errors);
            return schemas.inputViolations(inputs).chain(all -> {
                for (int i = 0; i < inputs.size(); i++) {
                    String at = inputs.get(i).pointer();
                    all.get(i).forEach(v -> errors.add(Problem.at("input_invalid", v.message(), at + v.pointer())));
                }
                if (!errors.isEmpty()) {
                    throw new Invalid(errors);
                }
                return accept(who, body, plan, steps, repeatKey, repeatRunId, executionPlanId, claim);
            });
        });
    }

    /** Pins each step's action version and checks what can be checked before the run. */
    private List<PlanStep> resolve(PlanView.Plan plan, Map<String, List<RunnableAction>> versions,
            List<String> selected, List<Schemas.Input> inputs, List<Problem> errors) {
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
                errors.add(Problem.at("unknown_action",
                        "no action " + step.action().key()
                                + (step.action().version() == null ? "" : " version " + step.action().version()),
                        at + "/action"));
                continue;
            }
            RunnableCheck.Refusal refusal = RunnableCheck.refusal(action, known.get(0).active());
            if (refusal != null) {
                errors.add(Problem.at(refusal.code(), refusal.detail(), at + "/action/key"));
                continue;
            }
            ActionSpec spec = RunnableActions.spec(action);
            if (!all && !selected.contains(spec.http().integrationKey())) {
                errors.add(Problem.at("integration_not_selected", "the action's integration "
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
            errors.addAll(RunService.headerValueProblems(spec, input, at + "/input"));
            steps.add(new PlanStep(step.id(), step.description(),
                    step.dependsOnSteps() == null ? List.of() : step.dependsOnSteps(), spec, input));
        }
        return steps;
    }

    private Uni<Created> accept(Principal who, CreateRunRequest body, PlanView.Plan plan, List<PlanStep> steps,
            String repeatKey, UUID repeatRunId, UUID executionPlanId, Idempotency.Claim claim) {
        List<String> integrationKeys = steps.stream().map(s -> s.action().http().integrationKey()).distinct().toList();
        PlanView view = PlanView.of(plan.title(), plan.description() == null ? body.intent() : plan.description(),
                steps);
        return credentials.passThrough(who.ownerId(), body.userId(), null, integrationKeys, body.passThrough())
                .chain(resolved -> acceptor
                        .accept(AcceptRun.plan(who, steps, view, body.userId(), body.intent()).context(body.context())
                                .repeat(repeatKey, repeatRunId, executionPlanId).outputSchema(body.outputSchema())
                                .passThrough(resolved.passThrough()).approvalStrategy(body.approvalStrategy())
                                // steps of these integrations wait in AUTH_REQUIRED until the user connects an account
                                .missingConnections(resolved.missing())
                                .delivery(RunStore.Delivery.nativeTo(body.callbackUrl())).claim(claim)))
                .map(accepted -> new Created(accepted.runId(), repeatKey, RunStatus.QUEUED.name(), List.of(),
                        executionPlanId, view, repeatRunId));
    }

    /** An abort's answer: the run and the status it has once the abort took effect (or the wait ended). */
    public record Aborted(UUID runId, String status) {
    }

    /**
     * Aborts a run. A finished run is left as it is and answered with its status: the runs API documents 200, 401 and
     * 404 only, and aborting what has ended is harmless, so the caller learns how it ended instead of taking an error
     * branch.
     */
    public Uni<Aborted> abort(UUID ownerId, UUID runId) {
        return abort(ownerId, runId, true);
    }

    /**
     * {@link #abort}; without {@code wait}, answered once the abort command is written (a caller that needs no answer
     * about the end, such as an MCP cancellation) with the status the run had.
     */
    public Uni<Aborted> abort(UUID ownerId, UUID runId, boolean wait) {
        return store.run(ownerId, runId).chain(run -> {
            if (run == null) {
                throw new NotFound("no run with id " + runId);
            }
            RunStatus status = run.status();
            if (status.isTerminal()) {
                return Uni.createFrom().item(new Aborted(runId, status.name()));
            }
            RunAbortRequested command = new RunAbortRequested(runId, ownerId, Instant.now());
            Supplier<Uni<Long>> write = () -> {
                OutboxCommand serialized = OutboxCommand.of(command, RunAbortRequested.TYPE);
                return outbox.insertCommand(serialized)
                        .invoke(outboxId -> publisher.publishCommitted(serialized, outboxId));
            };
            if (!wait) {
                return write.get().map(ignored -> new Aborted(runId, status.name()));
            }
            return waiter.writeThenAwait(runId, write::get)
                    .map(terminal -> new Aborted(runId, terminal == null ? status.name() : terminal.status().name()));
        });
    }

    private void validate(CreateRunRequest body) {
        if (body == null) {
            throw new Invalid("missing_body", "a JSON body is required", "");
        }
        List<Problem> errors = new ArrayList<>();
        if (body.intent() == null || body.intent().isBlank() || body.intent().length() > 10_000) {
            errors.add(Problem.at("missing_intent", "intent is required (1-10000 characters)", "/intent"));
        }
        if (body.selectedCustomerIntegrationIds() == null) {
            errors.add(Problem.at("missing_integrations",
                    "selectedCustomerIntegrationIds is required (use [\"*\"] for all)",
                    "/selectedCustomerIntegrationIds"));
        } else {
            for (int i = 0; i < body.selectedCustomerIntegrationIds().size(); i++) {
                String id = body.selectedCustomerIntegrationIds().get(i);
                if (id == null || id.isBlank()) {
                    errors.add(Problem.at("invalid_integration", "an integration id is a non-empty string",
                            "/selectedCustomerIntegrationIds/" + i));
                }
            }
        }
        if (body.userId() == null || body.userId().isBlank() || body.userId().length() > 256) {
            errors.add(Problem.at("missing_user_id", "userId is required (1-256 characters)", "/userId"));
        }
        if (body.context() != null && body.context().length() > 100_000) {
            errors.add(Problem.at("invalid_context", "context is at most 100000 characters", "/context"));
        }
        if (body.approvalStrategy() != null && !STRATEGIES.contains(body.approvalStrategy())) {
            errors.add(Problem.at("invalid_approval_strategy",
                    "approvalStrategy is one of NONE, ON_START, ON_TOOL_CALL", "/approvalStrategy"));
        }
        if (body.repeatKey() != null && (body.repeatKey().isBlank() || body.repeatKey().length() > 256)) {
            errors.add(Problem.at("invalid_repeat_key", "repeatKey is 1-256 characters", "/repeatKey"));
        }
        if (body.outputSchema() != null && !body.outputSchema().isNull() && !body.outputSchema().isObject()) {
            errors.add(Problem.at("invalid_schema", "outputSchema must be a JSON Schema object", "/outputSchema"));
        }
        PassThroughCheck.check(body.passThrough(), errors);
        callbacks.check(body.callbackUrl(), "/callbackUrl", errors);
        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
    }
}

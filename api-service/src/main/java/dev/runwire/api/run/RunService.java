package dev.runwire.api.run;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.http.HttpValues;
import dev.runwire.model.json.Json;

/** Accepts runs: validates, records run and command atomically, publishes, waits for the end. */
@ApplicationScoped
public class RunService {

    public static final String STEP_ID = "step-1";
    /** How often a request answering with an existing run looks for the run's end in the store. */
    private static final Duration STORE_LOOK = Duration.ofSeconds(1);

    private final RunnableActions actions;
    private final MeterRegistry registry;
    private final Schemas schemas;
    private final RunStore store;
    private final CommandPublisher publisher;
    private final RunFeed waiters;
    private final ApiConfig config;
    private final PassThroughSealer sealer;
    private final CallbackUrls callbacks;
    private final ConnectedAccounts connections;

    RunService(RunnableActions actions, Schemas schemas, RunStore store, CommandPublisher publisher, RunFeed waiters,
            ApiConfig config, MeterRegistry registry, PassThroughSealer sealer, CallbackUrls callbacks,
            ConnectedAccounts connections) {
        this.callbacks = callbacks;
        this.connections = connections;
        this.actions = actions;
        this.registry = registry;
        this.schemas = schemas;
        this.store = store;
        this.publisher = publisher;
        this.waiters = waiters;
        this.config = config;
        this.sealer = sealer;
    }

    /** How an accepted run ended for its caller: finished (with its terminal event) or still going. */
    public record Accepted(UUID runId, RunEvent terminal) {
    }

    /**
     * Runs an action ({@code POST /v1/actions/run}). When an earlier request with the idempotency key created the run
     * before its replica died, answers with that run instead: its end, for a synchronous request.
     */
    public Uni<Accepted> runAction(Principal who, RunActionRequest body, Idempotency.Claim claim) {
        validate(body);
        JsonNode input = body.input() == null || body.input().isNull() ? Json.mapper().createObjectNode()
                : body.input();
        boolean async = Boolean.TRUE.equals(body.async());
        if (claim.runExists()) {
            return resume(claim.runId(), !async);
        }
        return runnable(who.ownerId(), body.key(), "/key")
                .chain(action -> start(who, action, input, "/input", body.userId(), null, body.passThrough(),
                        RunStore.Delivery.nativeTo(body.callbackUrl()), !async, claim));
    }

    /**
     * A run that exists already, as its request would have been answered: at once, or once it ends (up to the sync
     * wait) when {@code wait} is set. The run may have ended before anybody here listened, and the read model may take
     * a while to have its end (the replica that stored this run's events may be the one that died): the store is looked
     * at now and then while the broadcast is awaited. Rare (a takeover), so the polls cost little.
     */
    public Uni<Accepted> resume(UUID runId, boolean wait) {
        if (!wait) {
            return Uni.createFrom().item(new Accepted(runId, null));
        }
        CompletableFuture<RunEvent> end = waiters.register(runId);
        long deadline = System.nanoTime() + config.run().syncWait().toNanos();
        return endOf(runId, end, deadline).onTermination().invoke(() -> waiters.forget(runId))
                .map(terminal -> new Accepted(runId, terminal));
    }

    private Uni<RunEvent> endOf(UUID runId, CompletableFuture<RunEvent> end, long deadline) {
        return store.storedEnd(runId).chain(stored -> {
            long left = deadline - System.nanoTime();
            if (stored != null || left <= 0) {
                return Uni.createFrom().item(stored);
            }
            // a copy: giving up one wait must not cancel the future the broadcast completes
            return Uni.createFrom().completionStage(end.copy()).ifNoItem()
                    .after(Duration.ofNanos(Math.min(left, STORE_LOOK.toNanos()))).recoverWithItem(() -> null)
                    .chain(event -> event != null ? Uni.createFrom().item(event) : endOf(runId, end, deadline));
        });
    }

    /** The latest version of an action, if it can run: 404 when unknown, 409 when inactive or without integration. */
    public Uni<RunnableAction> runnable(UUID ownerId, String key, String pointer) {
        return runnable(ownerId, key, null, pointer);
    }

    /** A version of an action (the latest when null), if it can run; an inactive action runs in no version. */
    public Uni<RunnableAction> runnable(UUID ownerId, String key, Integer version, String pointer) {
        Uni<RunnableAction> found = version == null ? actions.latest(ownerId, key)
                : actions.versions(ownerId, List.of(key)).map(byKey -> {
                    List<RunnableAction> all = byKey.getOrDefault(key, List.of());
                    RunnableAction pinned = all.stream().filter(v -> v.version() == version).findFirst().orElse(null);
                    // the newest version says whether the action is active
                    return pinned == null || all.get(0).active() ? pinned
                            : new RunnableAction(pinned.id(), pinned.key(), pinned.version(), false, pinned.intent(),
                                    pinned.type(), pinned.inputSchema(), pinned.useDefaultMapping(), pinned.timeoutMs(),
                                    pinned.baseUrl(), pinned.integrationActive(), pinned.credentialCheck(),
                                    pinned.parsed());
                });
        return found.map(action -> {
            if (action == null) {
                throw ApiException
                        .notFound("no action with key " + key + (version == null ? "" : " version " + version));
            }
            if (!action.active()) {
                throw ApiException.conflict("action_inactive", "the action " + key + " is inactive",
                        ErrorObject.Source.pointer(pointer));
            }
            if (action.baseUrl() == null) {
                throw ApiException.conflict("integration_missing", "the action's integration no longer exists",
                        ErrorObject.Source.pointer(pointer));
            }
            if (!action.integrationActive()) {
                throw ApiException.conflict("integration_inactive", "the action's integration is inactive",
                        ErrorObject.Source.pointer(pointer));
            }
            return action;
        });
    }

    /** Violations of the action's input schema, each pointing into the request at {@code at}. */
    public Uni<List<ErrorObject>> inputViolations(RunnableAction action, JsonNode input, String at) {
        return schemas.inputViolations(action.id(), action.inputSchema(), input, at).map(violations -> violations
                .stream().map(v -> ApiException.violation("input_invalid", v.message(), at + v.pointer())).toList());
    }

    /**
     * Input values that a header template of the action would put into a header although no header can carry them (CR,
     * LF, NUL...), each pointing into the request at {@code at}: refused when the run is accepted, so the executor
     * never builds such a request.
     */
    public static List<ErrorObject> headerValueViolations(ActionSpec spec, JsonNode input, String at) {
        if (spec.http() == null) {
            return List.of();
        }
        return HttpValues.renderedHeaderProblems(spec.http().headers(), input).stream()
                .map(p -> ApiException.violation("invalid_header_value", p.detail(), at + p.pointer())).toList();
    }

    /**
     * Starts a run of one action: checks the input, records run and command atomically, publishes; then waits for the
     * end up to the sync wait when {@code wait} is set.
     */
    public Uni<Accepted> start(Principal who, RunnableAction action, JsonNode input, String inputPointer, String userId,
            UUID accountId, JsonNode requestedPassThrough, RunStore.Delivery delivery, boolean wait) {
        return start(who, action, input, inputPointer, userId, accountId, requestedPassThrough, delivery, wait,
                Idempotency.Claim.NONE);
    }

    /** {@link #start}, for a request under an idempotency key: the run is bound to the request's claim. */
    public Uni<Accepted> start(Principal who, RunnableAction action, JsonNode input, String inputPointer, String userId,
            UUID accountId, JsonNode requestedPassThrough, RunStore.Delivery delivery, boolean wait,
            Idempotency.Claim claim) {
        return inputViolations(action, input, inputPointer).chain(violations -> {
            if (!violations.isEmpty()) {
                throw ApiException.invalid(violations);
            }
            List<ErrorObject> headerValues = headerValueViolations(RunnableActions.spec(action), input, inputPointer);
            if (!headerValues.isEmpty()) {
                throw ApiException.invalid(headerValues);
            }
            return started(who, action, input, userId, accountId, requestedPassThrough, delivery, wait, claim);
        });
    }

    private Uni<Accepted> started(Principal who, RunnableAction action, JsonNode input, String userId, UUID accountId,
            JsonNode requestedPassThrough, RunStore.Delivery delivery, boolean wait, Idempotency.Claim claim) {
        ActionSpec spec = RunnableActions.spec(action);
        return connections.passThrough(who.ownerId(), userId, accountId, List.of(spec.http().integrationKey()),
                requestedPassThrough).chain(resolved -> {
                    // a single action has nothing to resume at: its caller connects and runs it again
                    if (!resolved.missing().isEmpty()) {
                        throw resolved.connectionRequired(userId);
                    }
                    return accept(who, action, spec, input, userId, resolved.passThrough(), delivery, wait, claim);
                });
    }

    /**
     * Starts a run of one action given by its spec rather than the registry (a talkover agent action); {@code identity}
     * names it in the run's record. The input was checked by the caller.
     */
    public Uni<Accepted> startSpec(Principal who, RunnableAction identity, ActionSpec spec, JsonNode input,
            String userId, boolean wait) {
        return accept(who, identity, spec, input, userId, null, RunStore.Delivery.NATIVE, wait, Idempotency.Claim.NONE);
    }

    private Uni<Accepted> accept(Principal who, RunnableAction action, ActionSpec spec, JsonNode input, String userId,
            JsonNode passThroughData, RunStore.Delivery delivery, boolean wait, Idempotency.Claim claim) {
        UUID ownerId = who.ownerId();
        UUID runId = UUID.randomUUID();
        PlanStep step = new PlanStep(STEP_ID, action.intent(), List.of(), spec, input);
        SealedSecret passThrough = sealer.seal(passThroughData, runId);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        RunRequested command = new RunRequested(runId, ownerId, Instant.now(), RunRequested.Kind.ACTION, List.of(step),
                null, passThrough, null, null, userId);
        RunStore.NewRun run = new RunStore.NewRun(runId, ownerId, userId, action.id(), action.key(), action.version(),
                action.intent(), "", "rk_" + UUID.randomUUID(), null, UUID.randomUUID(),
                PlanView.of(null, action.intent(), List.of(step)), "NONE",
                spec.http() == null ? List.of() : List.of(spec.http().integrationKey()), now, delivery,
                RunStore.Billing.of(who), List.of(), claim);

        registry.counter("runwire.runs.accepted").increment();
        if (!wait) {
            return store.insertWithCommand(run, command, RunRequested.TYPE).map(outboxId -> {
                publisher.publishCommitted(command, RunRequested.TYPE, outboxId);
                return new Accepted(runId, null);
            });
        }
        CompletableFuture<RunEvent> end = waiters.register(runId);
        return store.insertWithCommand(run, command, RunRequested.TYPE).onFailure().invoke(() -> waiters.forget(runId))
                .chain(outboxId -> {
                    publisher.publishCommitted(command, RunRequested.TYPE, outboxId);
                    return Uni.createFrom().completionStage(end).ifNoItem().after(config.run().syncWait())
                            .recoverWithItem(() -> null).map(terminal -> {
                                if (terminal == null) {
                                    waiters.forget(runId);
                                }
                                return new Accepted(runId, terminal);
                            });
                });
    }

    private void validate(RunActionRequest body) {
        if (body == null) {
            throw ApiException.invalid("missing_body", "a JSON body is required", "");
        }
        List<ErrorObject> errors = new ArrayList<>();
        if (body.key() == null || body.key().isBlank()) {
            errors.add(ApiException.violation("missing_key", "key is required", "/key"));
        }
        if (body.userId() == null || body.userId().isBlank() || body.userId().length() > 256) {
            errors.add(ApiException.violation("missing_user_id", "userId is required (1-256 characters)", "/userId"));
        }
        if (body.input() != null && !body.input().isNull() && !body.input().isObject()) {
            errors.add(ApiException.violation("invalid_input", "input must be an object", "/input"));
        }
        PassThroughCheck.check(body.passThrough(), errors);
        callbacks.check(body.callbackUrl(), "/callbackUrl", errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }
}

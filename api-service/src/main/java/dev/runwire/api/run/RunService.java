package dev.runwire.api.run;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

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
import dev.runwire.api.idempotency.Idempotency;
import dev.runwire.api.run.accept.AcceptRun;
import dev.runwire.api.run.accept.Accepted;
import dev.runwire.api.run.accept.RunAcceptor;
import dev.runwire.api.run.accept.RunCredentials;
import dev.runwire.api.run.accept.RunSubject;
import dev.runwire.api.run.accept.RunWaiter;
import dev.runwire.api.run.accept.RunnableCheck;
import dev.runwire.model.command.ActionSpec;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.http.HttpValues;
import dev.runwire.model.json.Json;

/**
 * Runs of one action, for every surface that runs one (native, Zapier's Actions API, Composio, talkover agents): checks
 * the input and resolves the run's credentials, then hands the run to the {@link RunAcceptor}.
 */
@ApplicationScoped
public class RunService {

    public static final String STEP_ID = "step-1";

    private final RunnableCheck runnable;
    private final Schemas schemas;
    private final RunAcceptor acceptor;
    private final RunWaiter waiter;
    private final CallbackUrls callbacks;
    private final RunCredentials credentials;

    RunService(RunnableCheck runnable, Schemas schemas, RunAcceptor acceptor, RunWaiter waiter, CallbackUrls callbacks,
            RunCredentials credentials) {
        this.runnable = runnable;
        this.schemas = schemas;
        this.acceptor = acceptor;
        this.waiter = waiter;
        this.callbacks = callbacks;
        this.credentials = credentials;
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
     * wait) when {@code wait} is set.
     */
    public Uni<Accepted> resume(UUID runId, boolean wait) {
        if (!wait) {
            return Uni.createFrom().item(new Accepted(runId, null));
        }
        return waiter.endOfExisting(runId).map(terminal -> new Accepted(runId, terminal));
    }

    /** The latest version of an action, if it can run: 404 when unknown, 409 when inactive or without integration. */
    public Uni<RunnableAction> runnable(UUID ownerId, String key, String pointer) {
        return runnable.runnable(ownerId, key, null, pointer);
    }

    /** A version of an action (the latest when null), if it can run; an inactive action runs in no version. */
    public Uni<RunnableAction> runnable(UUID ownerId, String key, Integer version, String pointer) {
        return runnable.runnable(ownerId, key, version, pointer);
    }

    /** Violations of the action's input schema, each pointing into the request at {@code at}. */
    public Uni<List<Problem>> inputProblems(RunnableAction action, JsonNode input, String at) {
        return schemas.inputViolations(action.id(), action.inputSchema(), input, at).map(violations -> violations
                .stream().map(v -> Problem.at("input_invalid", v.message(), at + v.pointer())).toList());
    }

    /**
     * Input values that a header template of the action would put into a header although no header can carry them (CR,
     * LF, NUL...), each pointing into the request at {@code at}: refused when the run is accepted, so the executor
     * never builds such a request.
     */
    public static List<Problem> headerValueProblems(ActionSpec spec, JsonNode input, String at) {
        if (spec.http() == null) {
            return List.of();
        }
        return HttpValues.renderedHeaderProblems(spec.http().headers(), input).stream()
                .map(p -> Problem.at("invalid_header_value", p.detail(), at + p.pointer())).toList();
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
        return start(who, action, input, inputPointer, userId, accountId, requestedPassThrough, delivery, wait, claim,
                null);
    }

    /**
     * {@link #start}, with what the surface records once the run is committed, before the wait for its end (see
     * {@link AcceptRun#onAccepted}).
     */
    public Uni<Accepted> start(Principal who, RunnableAction action, JsonNode input, String inputPointer, String userId,
            UUID accountId, JsonNode requestedPassThrough, RunStore.Delivery delivery, boolean wait,
            Idempotency.Claim claim, Function<UUID, Uni<Void>> onAccepted) {
        return start(who, action, input, inputPointer, userId, accountId, requestedPassThrough, delivery, wait, claim,
                onAccepted, null);
    }

    /** {@link #start}, with an approval strategy ({@code ON_START}, {@code ON_TOOL_CALL}; null: none). */
    public Uni<Accepted> start(Principal who, RunnableAction action, JsonNode input, String inputPointer, String userId,
            UUID accountId, JsonNode requestedPassThrough, RunStore.Delivery delivery, boolean wait,
            Idempotency.Claim claim, Function<UUID, Uni<Void>> onAccepted, String approvalStrategy) {
        return inputProblems(action, input, inputPointer).chain(violations -> {
            if (!violations.isEmpty()) {
                throw new Invalid(violations);
            }
            List<Problem> headerValues = headerValueProblems(RunnableActions.spec(action), input, inputPointer);
            if (!headerValues.isEmpty()) {
                throw new Invalid(headerValues);
            }
            return started(who, action, input, userId, accountId, requestedPassThrough, delivery, wait, claim,
                    onAccepted, approvalStrategy);
        });
    }

    private Uni<Accepted> started(Principal who, RunnableAction action, JsonNode input, String userId, UUID accountId,
            JsonNode requestedPassThrough, RunStore.Delivery delivery, boolean wait, Idempotency.Claim claim,
            Function<UUID, Uni<Void>> onAccepted, String approvalStrategy) {
        ActionSpec spec = RunnableActions.spec(action);
        return credentials.passThrough(who.ownerId(), userId, accountId, List.of(spec.http().integrationKey()),
                requestedPassThrough).chain(resolved -> {
                    // a single action has nothing to resume at: its caller connects and runs it again
                    if (!resolved.missing().isEmpty()) {
                        throw resolved.connectionRequired(userId);
                    }
                    RunSubject subject = new RunSubject(action.id(), action.key(), action.version(), action.intent());
                    return acceptor.accept(AcceptRun.action(who, subject, step(subject, spec, input), userId)
                            .passThrough(resolved.passThrough()).delivery(delivery).claim(claim).onAccepted(onAccepted)
                            .approvalStrategy(approvalStrategy).waitForEnd(wait));
                });
    }

    /**
     * Starts a run of one action given by its spec rather than the registry (a talkover agent action), recorded as
     * {@code subject}. The input was checked by the caller.
     */
    public Uni<Accepted> startSpec(Principal who, RunSubject subject, ActionSpec spec, JsonNode input, String userId,
            boolean wait) {
        return acceptor.accept(AcceptRun.action(who, subject, step(subject, spec, input), userId).waitForEnd(wait));
    }

    private static PlanStep step(RunSubject subject, ActionSpec spec, JsonNode input) {
        return new PlanStep(STEP_ID, subject.intent(), List.of(), spec, input);
    }

    private void validate(RunActionRequest body) {
        if (body == null) {
            throw new Invalid("missing_body", "a JSON body is required", "");
        }
        List<Problem> errors = new ArrayList<>();
        if (body.key() == null || body.key().isBlank()) {
            errors.add(Problem.at("missing_key", "key is required", "/key"));
        }
        if (body.userId() == null || body.userId().isBlank() || body.userId().length() > 256) {
            errors.add(Problem.at("missing_user_id", "userId is required (1-256 characters)", "/userId"));
        }
        if (body.input() != null && !body.input().isNull() && !body.input().isObject()) {
            errors.add(Problem.at("invalid_input", "input must be an object", "/input"));
        }
        PassThroughCheck.check(body.passThrough(), errors);
        callbacks.check(body.callbackUrl(), "/callbackUrl", errors);
        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
    }
}

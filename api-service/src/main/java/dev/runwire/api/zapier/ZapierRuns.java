package dev.runwire.api.zapier;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.api.auth.Principal;
import dev.runwire.api.callback.CallbackUrls;
import dev.runwire.api.callback.DeliverySurface;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException;
import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.api.idempotency.Idempotency;
import dev.runwire.api.run.RunService;
import dev.runwire.api.run.RunStore;
import dev.runwire.model.json.Json;

/**
 * Starts runs for Zapier's surface: stored-action runs (stored inputs, run-time inputs merged over them) and one-off
 * runs. Always asynchronous (202 with the run id); {@code idempotency_id} is the idempotency key (a repeat within 72 h
 * gets the original response, whatever its body); bad input is a 400 as Zapier's Actions API documents. See
 * docs/adr/0017-zapier-surface.md.
 */
@ApplicationScoped
public class ZapierRuns {

    private final RunService runs;
    private final Idempotency idempotency;
    private final CallbackUrls callbacks;

    ZapierRuns(RunService runs, Idempotency idempotency, CallbackUrls callbacks) {
        this.runs = runs;
        this.idempotency = idempotency;
        this.callbacks = callbacks;
    }

    Uni<Response> runStored(Principal who, StoredActionView stored, ZapierRequests.StoredActionRun request) {
        check(request.inputs(), request.callbackUrl(), request.idempotencyId());
        JsonNode inputs = merge(stored.inputs(), request.inputs());
        RunStore.Delivery delivery = new RunStore.Delivery(request.callbackUrl(), DeliverySurface.ZAPIER_STORED,
                stored.id());
        return once(who.ownerId(), request.idempotencyId(), Map.of("storedAction", stored.id(), "data", request),
                claim -> start(who, stored.actionKey(), stored.selectedApi(), accountId(stored.connectionId()), inputs,
                        delivery, claim));
    }

    Uni<Response> runOnce(Principal who, ZapierRequests.ActionRun request) {
        if (request.action() == null || request.action().isBlank()) {
            throw badRequest("action is required: the key of the action to run", "/data/action");
        }
        check(request.inputs(), request.callbackUrl(), request.idempotencyId());
        JsonNode inputs = merge(null, request.inputs());
        RunStore.Delivery delivery = new RunStore.Delivery(request.callbackUrl(), DeliverySurface.ZAPIER_ONE_OFF, null);
        return once(who.ownerId(), request.idempotencyId(), Map.of("data", request), claim -> start(who,
                request.action(), request.selectedApi(), accountId(request.authentication()), inputs, delivery, claim));
    }

    private Uni<Response> once(UUID ownerId, String idempotencyId, Object body,
            java.util.function.Function<Idempotency.Claim, Uni<Response>> request) {
        // a separate key space from the native Idempotency-Key header; Zapier's Actions API: "If the same
        // idempotency_id is used
        // within 72 hours, the second request will be ignored and the original response returned"
        return idempotency.once(ownerId, idempotencyId == null ? null : "zapier:" + idempotencyId, body,
                Idempotency.Repeat.REPLAY, request);
    }

    private Uni<Response> start(Principal who, String actionKey, String selectedApi, UUID accountId, JsonNode inputs,
            RunStore.Delivery delivery, Idempotency.Claim claim) {
        if (claim.runExists()) {
            // an earlier request with this idempotency_id created the run before its replica died
            return Uni.createFrom().item(accepted(claim.runId()));
        }
        return runs.runnable(who.ownerId(), actionKey, "/data/action_key").chain(action -> {
            if (selectedApi != null && !selectedApi.equals(integrationKey(action))) {
                throw badRequest("the action " + actionKey + " does not belong to " + selectedApi,
                        "/data/selected_api");
            }
            return runs.start(who, action, inputs, "/data/inputs", null, accountId, null, delivery, false, claim);
        }).map(accepted -> accepted(accepted.runId())).onFailure(RunwireException.class)
                .transform(ZapierRuns::asBadRequest);
    }

    private static Response accepted(UUID runId) {
        return Response.accepted(new ZapierRequests.Document<>(new ZapierRequests.RunAccepted("run", runId.toString())))
                .build();
    }

    /** A connection id that names a connected account, or null. */
    private static UUID accountId(String connectionId) {
        return connectionId != null && isUuid(connectionId) ? UUID.fromString(connectionId) : null;
    }

    static String integrationKey(RunnableAction action) {
        return action.parsed().http().integrationKey();
    }

    private void check(JsonNode inputs, String callbackUrl, String idempotencyId) {
        List<Problem> errors = new ArrayList<>();
        if (inputs != null && !inputs.isNull() && !inputs.isObject()) {
            errors.add(error("inputs must be an object", "/data/inputs"));
        }
        Problem refused = callbacks.problem(callbackUrl, "/data/callback_url");
        if (refused != null) {
            errors.add(refused);
        }
        if (idempotencyId != null && !isUuid(idempotencyId)) {
            errors.add(error("idempotency_id must be a UUID", "/data/idempotency_id"));
        }
        if (!errors.isEmpty()) {
            throw new Malformed(errors);
        }
    }

    /** The stored inputs with the run's inputs over them, key by key. */
    static JsonNode merge(JsonNode stored, JsonNode given) {
        ObjectNode merged = Json.mapper().createObjectNode();
        if (stored != null && stored.isObject()) {
            merged.setAll((ObjectNode) stored);
        }
        if (given != null && given.isObject()) {
            merged.setAll((ObjectNode) given);
        }
        return merged;
    }

    /**
     * Zapier's Actions API documents 400 for a request that cannot run: a conflict or invalid content of the run it
     * asks for becomes that, with the same problems. Per call, not in the Zapier renderer: the 409 of an idempotency_id
     * still in flight is to be retried, and stays a 409 (docs/adr/0033-the-error-seam.md).
     */
    static Throwable asBadRequest(Throwable failure) {
        if (failure instanceof Conflict || failure instanceof Invalid) {
            return new Malformed(((RunwireException) failure).problems());
        }
        return failure;
    }

    static Malformed badRequest(String detail, String pointer) {
        return new Malformed(error(detail, pointer));
    }

    private static Problem error(String detail, String pointer) {
        return Problem.at("bad_request", detail, pointer);
    }

    static boolean isUuid(String value) {
        try {
            return UUID.fromString(value).toString().equalsIgnoreCase(value);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

package dev.runwire.api.zapier;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.action.RunnableActions;
import dev.runwire.api.auth.Caller;
import dev.runwire.api.auth.Principal;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.QueryParams;
import dev.runwire.api.error.RunwireException;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.error.Surface;
import dev.runwire.api.run.RunResource;
import dev.runwire.api.run.RunService;
import dev.runwire.api.run.RunStore;

/** Zapier's stored actions: create, list, read, update, delete, run, and read a run's results. */
@ApiSurface(Surface.ZAPIER)
@Path("/actions/v1/stored-actions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class StoredActionResource {

    private static final Set<String> TYPES = Set.of("read", "write", "search");
    private static final int MAX_LIMIT = 100;

    private final StoredActionStore store;
    private final ZapierRuns runs;
    private final RunService actions;
    private final RunStore runStore;
    private final Caller caller;

    StoredActionResource(StoredActionStore store, ZapierRuns runs, RunService actions, RunStore runStore,
            Caller caller) {
        this.store = store;
        this.runs = runs;
        this.actions = actions;
        this.runStore = runStore;
        this.caller = caller;
    }

    /** A page of stored actions. */
    public record Page(List<StoredActionView> data, Map<String, Object> meta) {
    }

    @POST
    public Uni<Response> create(ZapierRequests.Document<StoredActionView.Attributes> body) {
        StoredActionView.Attributes attributes = checked(body == null ? null : body.data());
        UUID ownerId = caller.ownerId();
        return usable(ownerId, attributes).chain(() -> store.insert(ownerId, attributes))
                .map(stored -> Response.status(201).entity(new ZapierRequests.Document<>(stored)).build());
    }

    @GET
    public Uni<Page> list(@QueryParam("limit") String limit, @QueryParam("offset") String offset) {
        int size = QueryParams.bounded(limit, "limit", 10, MAX_LIMIT);
        int skip = offset == null ? 0 : QueryParams.bounded(offset, "offset", 1, 1_000_000);
        return store.list(caller.ownerId(), size, skip)
                .map(stored -> new Page(stored, Map.of("limit", size, "offset", skip)));
    }

    @GET
    @Path("{id}")
    public Uni<ZapierRequests.Document<StoredActionView>> get(@PathParam("id") String id) {
        return find(id).map(ZapierRequests.Document::new);
    }

    /** Changes the attributes given; the others stay. */
    @PATCH
    @Path("{id}")
    public Uni<ZapierRequests.Document<StoredActionView>> update(@PathParam("id") String id,
            ZapierRequests.Document<StoredActionView.Attributes> body) {
        if (body == null || body.data() == null) {
            throw ZapierRuns.badRequest("a JSON:API document with data is required", "/data");
        }
        UUID ownerId = caller.ownerId();
        return find(id).chain(current -> {
            StoredActionView.Attributes was = current.attributes();
            StoredActionView.Attributes change = body.data();
            StoredActionView.Attributes merged = checked(new StoredActionView.Attributes(
                    or(change.selectedApi(), was.selectedApi()), or(change.actionType(), was.actionType()),
                    or(change.actionKey(), was.actionKey()), or(change.connectionId(), was.connectionId()),
                    or(change.title(), was.title()), change.inputs() != null ? change.inputs() : was.inputs()));
            return usable(ownerId, merged).chain(() -> store.update(ownerId, current.id(), merged));
        }).map(stored -> {
            if (stored == null) {
                throw notFound(id);
            }
            return new ZapierRequests.Document<>(stored);
        });
    }

    @DELETE
    @Path("{id}")
    public Uni<Response> delete(@PathParam("id") String id) {
        return store.delete(caller.ownerId(), parse(id)).map(deleted -> {
            if (!deleted) {
                throw notFound(id);
            }
            return Response.noContent().build();
        });
    }

    @POST
    @Path("{id}/run")
    public Uni<Response> run(@PathParam("id") String id, ZapierRequests.Document<ZapierRequests.StoredActionRun> body) {
        ZapierRequests.StoredActionRun request = body == null || body.data() == null
                ? new ZapierRequests.StoredActionRun(null, null, null, null) : body.data();
        Principal who = caller.principal();
        return find(id).chain(stored -> runs.runStored(who, stored, request));
    }

    /** The run's status and results; 200 whatever the run's own outcome (Zapier's Actions API says so). */
    @GET
    @Path("{id}/runs/{runId}")
    public Uni<ZapierRun> result(@PathParam("id") String id, @PathParam("runId") String runId) {
        UUID storedId = parse(id);
        return runStore.run(caller.ownerId(), RunResource.parseRunId(runId)).map(run -> {
            if (run == null || !storedId.equals(run.storedActionId())) {
                throw new NotFound("no run " + runId + " of stored action " + id);
            }
            return ZapierRun.of(run);
        });
    }

    private Uni<StoredActionView> find(String id) {
        return store.find(caller.ownerId(), parse(id)).map(stored -> {
            if (stored == null) {
                throw notFound(id);
            }
            return stored;
        });
    }

    /** The action must exist, be runnable, and belong to the selected API. */
    private Uni<Void> usable(UUID ownerId, StoredActionView.Attributes attributes) {
        return actions.runnable(ownerId, attributes.actionKey(), "/data/action_key").invoke(action -> {
            if (!attributes.selectedApi().equals(ZapierRuns.integrationKey(action))) {
                throw ZapierRuns.badRequest(
                        "the action " + attributes.actionKey() + " does not belong to " + attributes.selectedApi(),
                        "/data/selected_api");
            }
            // stored inputs go into every run: one that a header template cannot carry is refused now, not per run
            List<Problem> headerValues = RunService.headerValueProblems(RunnableActions.spec(action),
                    attributes.inputs(), "/data/inputs");
            if (!headerValues.isEmpty()) {
                throw new Invalid(headerValues);
            }
        }).replaceWithVoid().onFailure(RunwireException.class)
                .transform(failure -> failure instanceof NotFound missing
                        ? ZapierRuns.badRequest(missing.problems().get(0).detail(), "/data/action_key")
                        : ZapierRuns.asBadRequest(failure));
    }

    private static StoredActionView.Attributes checked(StoredActionView.Attributes a) {
        if (a == null) {
            throw ZapierRuns.badRequest("a JSON:API document with data is required", "/data");
        }
        List<Problem> errors = new ArrayList<>();
        if (blank(a.selectedApi(), 200)) {
            errors.add(error("selected_api is required (1-200 characters)", "/data/selected_api"));
        }
        if (blank(a.actionKey(), 200)) {
            errors.add(error("action_key is required (1-200 characters)", "/data/action_key"));
        }
        String type = a.actionType() == null ? "write" : a.actionType();
        if (!TYPES.contains(type)) {
            errors.add(error("action_type is one of read, write, search", "/data/action_type"));
        }
        if (a.inputs() != null && !a.inputs().isNull() && !a.inputs().isObject()) {
            errors.add(error("inputs must be an object", "/data/inputs"));
        }
        if (a.title() != null && a.title().length() > 500) {
            errors.add(error("title is at most 500 characters", "/data/title"));
        }
        if (a.connectionId() != null && blank(a.connectionId(), 256)) {
            errors.add(error("connection_id is 1-256 characters", "/data/connection_id"));
        }
        if (!errors.isEmpty()) {
            throw new Malformed(errors);
        }
        return new StoredActionView.Attributes(a.selectedApi(), type, a.actionKey(), a.connectionId(), a.title(),
                ZapierRuns.merge(null, a.inputs()));
    }

    private static boolean blank(String value, int max) {
        return value == null || value.isBlank() || value.length() > max;
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static Problem error(String detail, String pointer) {
        return Problem.at("bad_request", detail, pointer);
    }

    private static UUID parse(String id) {
        return QueryParams.id(id, "stored action");
    }

    private static NotFound notFound(String id) {
        return new NotFound("no stored action with id " + id);
    }
}

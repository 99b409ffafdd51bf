package dev.runwire.api.action;

import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.Surface;

/** The action registry of the calling owner (toolregistry's {@code /v1/actions}). */
@ApiSurface(Surface.NATIVE)
@Path("/v1/actions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ActionResource {

    private final ActionService actions;
    private final Caller caller;

    ActionResource(ActionService actions, Caller caller) {
        this.actions = actions;
        this.caller = caller;
    }

    @POST
    public Uni<Response> create(ActionRequest body) {
        return actions.create(caller.ownerId(), body).map(view -> Response.status(201).entity(view).build());
    }

    @GET
    public Uni<List<ActionView>> list() {
        return actions.list(caller.ownerId());
    }

    @GET
    @Path("{key}")
    public Uni<ActionView> get(@PathParam("key") String key, @QueryParam("version") Integer version) {
        return actions.get(caller.ownerId(), key, version);
    }

    @PUT
    @Path("{key}")
    public Uni<ActionView> update(@PathParam("key") String key, ActionRequest body) {
        return actions.update(caller.ownerId(), key, body);
    }

    @DELETE
    @Path("{key}")
    public Uni<ActionView> deactivate(@PathParam("key") String key) {
        return actions.deactivate(caller.ownerId(), key);
    }
}

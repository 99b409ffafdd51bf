package dev.runwire.api.run;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.Surface;
import dev.runwire.api.idempotency.Idempotency;

/** Runs an action synchronously (toolregistry's {@code POST /v1/actions/run}). */
@ApiSurface(Surface.NATIVE)
@Path("/v1/actions/run")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ActionRunResource {

    private final RunService runs;
    private final Caller caller;
    private final Idempotency idempotency;

    ActionRunResource(RunService runs, Caller caller, Idempotency idempotency) {
        this.runs = runs;
        this.caller = caller;
        this.idempotency = idempotency;
    }

    @POST
    public Uni<Response> run(RunActionRequest body, @HeaderParam(Idempotency.HEADER) String key) {
        return idempotency.once(caller.ownerId(), key, body,
                claim -> runs.runAction(caller.principal(), body, claim).map(RunResource::answer));
    }
}

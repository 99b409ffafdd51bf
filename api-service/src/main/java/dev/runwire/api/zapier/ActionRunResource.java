package dev.runwire.api.zapier;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.error.Surface;
import dev.runwire.api.run.RunResource;
import dev.runwire.api.run.RunStore;

/** Zapier's one-off action runs: start one, read its results. */
@ApiSurface(Surface.ZAPIER)
@Path("/actions/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ActionRunResource {

    private final ZapierRuns runs;
    private final RunStore store;
    private final Caller caller;

    ActionRunResource(ZapierRuns runs, RunStore store, Caller caller) {
        this.runs = runs;
        this.store = store;
        this.caller = caller;
    }

    @POST
    public Uni<Response> run(ZapierRequests.Document<ZapierRequests.ActionRun> body) {
        if (body == null || body.data() == null) {
            throw ZapierRuns.badRequest("a JSON:API document with data is required", "/data");
        }
        return runs.runOnce(caller.principal(), body.data());
    }

    @GET
    @Path("{runId}")
    public Uni<ZapierRequests.Document<ZapierRun>> result(@PathParam("runId") String runId) {
        return store.run(caller.ownerId(), RunResource.parseRunId(runId)).map(run -> {
            if (run == null) {
                throw new NotFound("no run with id " + runId);
            }
            return new ZapierRequests.Document<>(ZapierRun.of(run));
        });
    }
}

package dev.runwire.api.run;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.error.ApiException;
import dev.runwire.api.error.ErrorBody;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunError;

/** Reading runs. */
@Path("/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RunResource {

    /** Answer of a finished synchronous run. */
    public record RunActionResponse(UUID runId, Object output) {
    }

    /** Answer of a run that is still going when the wait is over. */
    public record RunAccepted(UUID runId, String status) {
    }

    private final RunStore store;
    private final Caller caller;

    RunResource(RunStore store, Caller caller) {
        this.store = store;
        this.caller = caller;
    }

    @GET
    @Path("{runId}")
    public Uni<RunView> get(@PathParam("runId") String runId, @QueryParam("includeEvents") String includeEvents) {
        UUID id = parseRunId(runId);
        boolean withEvents = "true".equalsIgnoreCase(includeEvents);
        return store.findRun(caller.ownerId(), id).chain(row -> {
            if (row == null) {
                throw ApiException.notFound("no run with id " + runId);
            }
            Uni<List<Object>> events = withEvents ? store.events(id) : Uni.createFrom().item(List.of());
            return events.map(list -> view(row, list));
        });
    }

    /** The answer to a synchronous run: its output, its failure, or 202 while it goes on. */
    static Response answer(RunService.Accepted accepted) {
        RunEvent end = accepted.terminal();
        String location = "/v1/runs/" + accepted.runId();
        if (end == null) {
            return Response.status(202).header("Location", location)
                    .entity(new RunAccepted(accepted.runId(), "RUNNING")).build();
        }
        if (end.type() == RunEventType.RUN_SUCCEEDED) {
            return Response.ok(new RunActionResponse(accepted.runId(), end.output())).build();
        }
        RunError error = end.error();
        ErrorObject object = new ErrorObject(502, error.code(), "Run Failed", error.message(), null,
                failureMeta(accepted.runId(), error));
        return Response.status(502).header("Location", location).type(MediaType.APPLICATION_JSON)
                .entity(new ErrorBody(List.of(object))).build();
    }

    private static Map<String, Object> failureMeta(UUID runId, RunError error) {
        java.util.LinkedHashMap<String, Object> meta = new java.util.LinkedHashMap<>();
        meta.put("runId", runId);
        meta.put("status", "FAILED");
        if (error.httpStatus() != null) {
            meta.put("integrationStatus", error.httpStatus());
        }
        if (error.violations() != null) {
            meta.put("violations", error.violations());
        }
        return meta;
    }

    private static RunView view(Row row, List<Object> events) {
        return new RunView(row.getUUID("id"), row.getString("repeat_key"), null, row.getString("status"),
                row.getUUID("execution_plan_id"), events, Json.tree(row.getString("result_json")),
                Json.tree(row.getString("error_json")), row.getString("intent"), row.getString("context"),
                row.getString("user_id"), row.getString("action_key"), row.getInteger("action_version"),
                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
    }

    static UUID parseRunId(String runId) {
        try {
            return UUID.fromString(runId);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no run with id " + runId);
        }
    }
}

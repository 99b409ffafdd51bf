package dev.runwire.api.run;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.ErrorBody;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.QueryParams;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.error.Surface;
import dev.runwire.api.idempotency.Idempotency;
import dev.runwire.api.run.accept.Accepted;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunStatus;

/** Runs: create with a plan, list, read, abort. */
@ApiSurface(Surface.NATIVE)
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

    private static final int MAX_PAGE = 1000;
    private static final int MAX_PAGE_SIZE = 100;

    private final RunStore store;
    private final PlanRunService plans;
    private final ApprovalService approvals;
    private final Caller caller;
    private final Idempotency idempotency;
    private final StepResults results;
    private final OutcomeResolutions resolutions;

    RunResource(RunStore store, PlanRunService plans, ApprovalService approvals, Caller caller, Idempotency idempotency,
            StepResults results, OutcomeResolutions resolutions) {
        this.idempotency = idempotency;
        this.resolutions = resolutions;
        this.results = results;
        this.store = store;
        this.plans = plans;
        this.approvals = approvals;
        this.caller = caller;
    }

    /** Body of an approval with a changed input. */
    public record ApproveWithEdit(String token, JsonNode input) {
    }

    /**
     * Approve or deny what a run waits for: the runs API's 201 "Approval handled", also for a repeat, which is handled
     * by reporting the decision taken first ({@code alreadyDecided}), so a client that retries takes the success
     * branch.
     */
    @GET
    @Path("approval")
    public Uni<Response> decide(@QueryParam("token") String token) {
        return approvals.decide(caller.ownerId(), token).map(RunResource::decided);
    }

    /** Approve a step with a changed input, checked against the step's action schema. */
    @POST
    @Path("approval")
    public Uni<Response> approveWithEdit(ApproveWithEdit body) {
        if (body == null) {
            throw new Invalid("missing_body", "a JSON body is required", "");
        }
        return approvals.approveWithEdit(caller.ownerId(), body.token(), body.input()).map(RunResource::decided);
    }

    private static Response decided(ApprovalService.Decision decision) {
        return Response.status(201).entity(decision).build();
    }

    /**
     * Creates a run. The runs API documents 400 for an invalid body, so what the checks find (422 elsewhere) is a 400
     * here, each error keeping its code and pointer; the Idempotency-Key's own 422 (a key reused with another body)
     * stays.
     */
    @POST
    public Uni<Response> create(CreateRunRequest body, @HeaderParam(Idempotency.HEADER) String key) {
        return idempotency.once(caller.ownerId(), key, body,
                claim -> Uni.createFrom().deferred(() -> plans.create(caller.principal(), body, claim))
                        .onFailure(Invalid.class).transform(RunResource::asBadRequest)
                        .map(created -> Response.status(201).header("Location", "/v1/runs/" + created.runId())
                                .entity(created).build()));
    }

    /** Invalid content, each problem kept, as the runs API's 400. */
    private static Throwable asBadRequest(Throwable failure) {
        return new Malformed(((Invalid) failure).problems());
    }

    @GET
    public Uni<List<RunView>> list(@QueryParam("userId") String userId, @QueryParam("status") String status,
            @QueryParam("customerIntegrationIds") List<String> integrationIds, @QueryParam("page") String page,
            @QueryParam("pageSize") String pageSize, @QueryParam("includeEvents") String includeEvents) {
        if (status != null && Arrays.stream(RunStatus.values()).noneMatch(s -> s.name().equals(status))) {
            throw new Malformed("status is one of " + Arrays.toString(RunStatus.values()),
                    ErrorObject.Source.parameter("status"));
        }
        RunStore.ListQuery query = new RunStore.ListQuery(caller.ownerId(), userId,
                status == null ? null : RunStatus.valueOf(status), integrationIds == null ? List.of() : integrationIds,
                QueryParams.bounded(page, "page", 1, MAX_PAGE),
                QueryParams.bounded(pageSize, "pageSize", 10, MAX_PAGE_SIZE));
        boolean withEvents = QueryParams.flag(includeEvents, "includeEvents");
        return store.list(query).chain(runs -> {
            List<UUID> ids = runs.stream().map(RunRecord::id).toList();
            Uni<Map<UUID, List<Object>>> events = withEvents ? store.events(ids) : Uni.createFrom().item(Map.of());
            return events.map(byRun -> runs.stream()
                    .map(run -> RunView.of(run, byRun.getOrDefault(run.id(), List.of()))).toList());
        });
    }

    /**
     * Reports the result of a step that waits for its caller (an external action): 202 once the result matches the
     * schema the step announced; the step succeeds with it and the run goes on.
     */
    @POST
    @Path("{runId}/steps/{stepId}/result")
    public Uni<Response> result(@PathParam("runId") String runId, @PathParam("stepId") String stepId, JsonNode body) {
        return results.report(caller.ownerId(), parseRunId(runId), stepId, body)
                .map(reported -> Response.status(202).entity(reported).build());
    }

    /**
     * Resolves a step whose call's outcome is unknown (ADR 0035): 202 once the resolution is recorded; the step
     * succeeds with the output or fails, and the run goes on. 409 when nothing waits for a resolution (or it was
     * given).
     */
    @POST
    @Path("{runId}/resolve")
    public Uni<Response> resolve(@PathParam("runId") String runId, JsonNode body) {
        return resolutions.resolve(caller.ownerId(), parseRunId(runId), body)
                .map(resolved -> Response.status(202).entity(resolved).build());
    }

    @DELETE
    @Path("{runId}")
    public Uni<PlanRunService.Aborted> abort(@PathParam("runId") String runId) {
        return plans.abort(caller.ownerId(), parseRunId(runId));
    }

    @GET
    @Path("{runId}")
    public Uni<RunView> get(@PathParam("runId") String runId, @QueryParam("includeEvents") String includeEvents) {
        UUID id = parseRunId(runId);
        boolean withEvents = QueryParams.flag(includeEvents, "includeEvents");
        return store.run(caller.ownerId(), id).chain(run -> {
            if (run == null) {
                throw new NotFound("no run with id " + runId);
            }
            Uni<List<Object>> events = withEvents ? store.events(id) : Uni.createFrom().item(List.of());
            return events.map(list -> RunView.withPlan(run, list));
        });
    }

    /** The answer to a synchronous run: its output, its failure, or 202 while it goes on. */
    static Response answer(Accepted accepted) {
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
        if (end.type() == RunEventType.RUN_CANCELED) {
            ErrorObject object = new ErrorObject(409, "run_canceled", "Run Canceled", error.message(), null,
                    Map.of("runId", accepted.runId(), "status", "CANCELED"));
            return Response.status(409).header("Location", location).type(MediaType.APPLICATION_JSON)
                    .entity(new ErrorBody(List.of(object))).build();
        }
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

    public static UUID parseRunId(String runId) {
        return QueryParams.id(runId, "run");
    }
}

package dev.runwire.api.talkover;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.QueryParams;
import dev.runwire.api.error.RunwireException;
import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.error.Surface;
import dev.runwire.model.egress.EgressPolicy;
import dev.runwire.model.json.Json;

/**
 * talkover's agents and agent actions, in its {@code {success, data}} envelopes; failures are {@code {success: false,
 * message, code}} with talkover's codes, rendered for every status of {@code /api/v1/agents*} by the one error seam
 * ({@link dev.runwire.api.error.Surface}). See docs/adr/0022-talkover-surface.md.
 */
@ApiSurface(Surface.TALKOVER)
@Path("/api/v1/agents")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AgentResource {

    private static final Set<String> TYPES = Set.of("webhook", "transfer", "hold", "external");
    private static final Set<String> STATUSES = Set.of("active", "inactive");

    private final AgentStore store;
    private final Caller caller;
    private final EgressPolicy egress;
    private final AgentRuns runs;
    private final dev.runwire.api.action.Schemas schemas;

    AgentResource(AgentStore store, Caller caller, EgressPolicy egress, AgentRuns runs,
            dev.runwire.api.action.Schemas schemas) {
        this.store = store;
        this.caller = caller;
        this.egress = egress;
        this.runs = runs;
        this.schemas = schemas;
    }

    /** Body of a run of an agent action: its input, and the end user it acts for. */
    public record RunRequest(JsonNode input, @JsonProperty("user_id") String userId) {
    }

    /**
     * Runs an agent action (a Runwire extension of this surface): a webhook POSTs its input to its URL and answers with
     * the result; transfer, hold and external actions wait, and the caller reports their result with {@code POST
     * /v1/runs/{run_id}/steps/{step_id}/result}.
     */
    @POST
    @Path("{agentId}/actions/{actionId}/run")
    public Uni<Response> run(@PathParam("agentId") String agentId, @PathParam("actionId") String actionId,
            RunRequest body) {
        UUID ownerId = caller.ownerId();
        UUID action = id(actionId, "ACTION_NOT_FOUND", "Action not found");
        JsonNode input = body == null || body.input() == null ? Json.mapper().createObjectNode() : body.input();
        if (!input.isObject()) {
            throw invalid("input is an object");
        }
        if (body != null && body.userId() != null && (body.userId().isBlank() || body.userId().length() > 256)) {
            throw invalid("user_id is 1-256 characters");
        }
        return agent(ownerId, agentId).chain(agent -> store.action(ownerId, agent.id(), action)).chain(found -> {
            if (found == null) {
                throw notFound("ACTION_NOT_FOUND", "Action not found");
            }
            if (!"active".equals(found.currentStatus())) {
                throw new Conflict(Problem.of("ACTION_INACTIVE", "the action is inactive"));
            }
            return runs.run(caller.principal(), found, input, body == null ? null : body.userId());
        }).map(started -> Response.ok(Envelope.of(started)).build());
    }

    /** {@code {success: true, data}}. */
    public record Envelope(boolean success, Object data) {
        static Envelope of(Object data) {
            return new Envelope(true, data);
        }
    }

    public record NewAgent(String name, String description) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record AgentView(UUID id, String name, String description,
            @JsonProperty("created_at") OffsetDateTime createdAt,
            @JsonProperty("updated_at") OffsetDateTime updatedAt) {
        static AgentView of(AgentStore.Agent agent) {
            return new AgentView(agent.id(), agent.name(), agent.description(), agent.createdAt(), agent.updatedAt());
        }
    }

    /**
     * An action as talkover's API shows it, plus {@code input_json_schema}, the draft-7 view of {@code input_schema}.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ActionView(UUID id, String name, String label, String description, String type,
            @JsonProperty("input_schema") JsonNode inputSchema,
            @JsonProperty("input_json_schema") JsonNode inputJsonSchema, JsonNode config,
            @JsonProperty("action_trigger") JsonNode actionTrigger, String url,
            @JsonProperty("authorization_url") String authorizationUrl,
            @JsonProperty("current_status") String currentStatus, @JsonProperty("created_at") OffsetDateTime createdAt,
            @JsonProperty("updated_at") OffsetDateTime updatedAt) {
        static ActionView of(AgentStore.AgentAction action) {
            JsonNode fields = Json.tree(action.inputSchema());
            return new ActionView(action.id(), action.name(), action.label(), action.description(), action.type(),
                    fields, InputFields.toJsonSchema(fields), Json.tree(action.config()),
                    Json.tree(action.actionTrigger()), action.url(), action.authorizationUrl(), action.currentStatus(),
                    action.createdAt(), action.updatedAt());
        }
    }

    /** Body of a new or changed action; {@code input_schema} in the array form or as a draft-7 object schema. */
    public record ActionRequest(String name, String label, String description, String type,
            @JsonProperty("input_schema") JsonNode inputSchema, JsonNode config,
            @JsonProperty("action_trigger") JsonNode actionTrigger, String url,
            @JsonProperty("authorization_url") String authorizationUrl,
            @JsonProperty("current_status") String currentStatus) {
    }

    @GET
    public Uni<Envelope> agents(@QueryParam("limit") String limit, @QueryParam("offset") String offset) {
        int size = QueryParams.bounded(limit, "limit", 50, 100);
        int skip = offset == null ? 0 : QueryParams.bounded(offset, "offset", 1, 1_000_000);
        return store.agents(caller.ownerId(), size, skip)
                .map(agents -> Envelope.of(agents.stream().map(AgentView::of).toList()));
    }

    @POST
    public Uni<Response> create(NewAgent body) {
        if (body == null || body.name() == null || body.name().isBlank() || body.name().length() > 200) {
            throw invalid("name is required (1-200 characters)");
        }
        if (body.description() != null && body.description().length() > 10_000) {
            throw invalid("description is at most 10000 characters");
        }
        return store.createAgent(caller.ownerId(), body.name().trim(), body.description())
                .map(agent -> Response.status(201).entity(Envelope.of(AgentView.of(agent))).build());
    }

    @GET
    @Path("{agentId}")
    public Uni<Envelope> agent(@PathParam("agentId") String agentId) {
        return agent(caller.ownerId(), agentId).map(agent -> Envelope.of(AgentView.of(agent)));
    }

    @GET
    @Path("{agentId}/actions")
    public Uni<Envelope> actions(@PathParam("agentId") String agentId) {
        UUID ownerId = caller.ownerId();
        return agent(ownerId, agentId).chain(agent -> store.actions(ownerId, agent.id()))
                .map(actions -> Envelope.of(actions.stream().map(ActionView::of).toList()));
    }

    /** Creates the action (201), or updates the agent's action of the same name (200). */
    @POST
    @Path("{agentId}/actions")
    public Uni<Response> upsertAction(@PathParam("agentId") String agentId, ActionRequest body) {
        UUID ownerId = caller.ownerId();
        return checked(body)
                .chain(row -> agent(ownerId, agentId).chain(agent -> store.upsertAction(ownerId, agent.id(), row)))
                .map(saved -> Response.status(saved.created() ? 201 : 200)
                        .entity(Envelope.of(ActionView.of(saved.action()))).build());
    }

    @DELETE
    @Path("{agentId}/actions/{actionId}")
    public Uni<Envelope> deleteAction(@PathParam("agentId") String agentId, @PathParam("actionId") String actionId) {
        UUID ownerId = caller.ownerId();
        UUID action = id(actionId, "ACTION_NOT_FOUND", "Action not found");
        return agent(ownerId, agentId).chain(agent -> store.deleteAction(ownerId, agent.id(), action)).map(deleted -> {
            if (!deleted) {
                throw notFound("ACTION_NOT_FOUND", "Action not found");
            }
            return Envelope.of(Map.of("id", action));
        });
    }

    private Uni<AgentStore.Agent> agent(UUID ownerId, String agentId) {
        return store.agent(ownerId, id(agentId, "AGENT_NOT_FOUND", "Agent not found")).map(agent -> {
            if (agent == null) {
                throw notFound("AGENT_NOT_FOUND", "Agent not found");
            }
            return agent;
        });
    }

    private Uni<AgentStore.ActionRow> checked(ActionRequest body) {
        if (body == null) {
            throw invalid("a JSON body is required");
        }
        List<String> problems = new ArrayList<>();
        if (body.name() == null || body.name().isBlank() || body.name().length() > 200) {
            problems.add("name is required (1-200 characters)");
        }
        if (body.description() == null || body.description().isBlank() || body.description().length() > 10_000) {
            problems.add("description is required (1-10000 characters)");
        }
        if (body.type() == null || !TYPES.contains(body.type())) {
            problems.add("type is one of " + TYPES);
        }
        String status = body.currentStatus() == null ? "active" : body.currentStatus();
        if (!STATUSES.contains(status)) {
            problems.add("current_status is active or inactive");
        }
        JsonNode fields = body.inputSchema() == null ? Json.mapper().createArrayNode() : body.inputSchema();
        if (fields.isObject()) {
            fields = InputFields.fromJsonSchema(fields);
            if (fields == null) {
                problems.add("input_schema as a JSON Schema must be an object of simple typed properties "
                        + "(type, description, default), to have an array form");
                fields = Json.mapper().createArrayNode();
            }
        }
        InputFields.problems(fields, "/input_schema").forEach(p -> problems.add(p[1] + " (at " + p[0] + ")"));
        if (body.config() != null && !body.config().isNull() && !body.config().isObject()) {
            problems.add("config is an object");
        }
        if (body.actionTrigger() != null && !body.actionTrigger().isNull() && !body.actionTrigger().isObject()) {
            problems.add("action_trigger is an object");
        }
        if ("webhook".equals(body.type())) {
            if (body.url() == null) {
                problems.add("url is required for a webhook action");
            }
        }
        for (String url : new String[] { body.url(), body.authorizationUrl() }) {
            if (url != null) {
                try {
                    egress.checkUrl(url);
                } catch (EgressPolicy.RefusedException e) {
                    problems.add("the URL " + url + " is refused: " + e.getMessage());
                }
            }
        }
        String fieldsJson = fields.toString();
        // the output schema is compiled off the event loop; its problem joins the others
        return schemas.check(AgentRuns.outputSchema(body.config()), "/config/output_schema").map(ok -> (String) null)
                .onFailure(RunwireException.class)
                .recoverWithItem(e -> "config.output_schema is not a valid draft-7 schema: "
                        + ((RunwireException) e).problems().get(0).detail())
                .map(schemaProblem -> {
                    if (schemaProblem != null) {
                        problems.add(schemaProblem);
                    }
                    if (!problems.isEmpty()) {
                        throw invalid(String.join("; ", problems));
                    }
                    return new AgentStore.ActionRow(body.name().trim(),
                            body.label() == null ? body.name().trim() : body.label(), body.description(), body.type(),
                            fieldsJson, json(body.config()), json(body.actionTrigger()), body.url(),
                            body.authorizationUrl(), status);
                });
    }

    private static String json(JsonNode node) {
        return node == null || node.isNull() ? null : node.toString();
    }

    private static UUID id(String value, String code, String message) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw notFound(code, message);
        }
    }

    private static NotFound notFound(String code, String message) {
        return new NotFound(Problem.of(code, message));
    }

    private static Invalid invalid(String message) {
        return new Invalid(Problem.of("VALIDATION_ERROR", message));
    }
}

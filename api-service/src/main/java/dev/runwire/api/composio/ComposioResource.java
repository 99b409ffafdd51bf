package dev.runwire.api.composio;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.api.auth.Caller;
import dev.runwire.api.auth.Principal;
import dev.runwire.api.connection.ConnectedAccounts;
import dev.runwire.api.connection.EntityAccounts;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.QueryParams;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.error.Surface;
import dev.runwire.api.planner.Planner;
import dev.runwire.api.run.RunService;
import dev.runwire.api.run.RunStore;
import dev.runwire.api.run.accept.Accepted;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;

/**
 * Composio's execute surface: run an action synchronously with a connected account (by id, or the entity's for the
 * action's app) or with credentials for this call only ({@code authConfig}, never stored); the action's schema; the
 * connected accounts. See docs/adr/0021-composio-surface.md.
 */
@ApiSurface(Surface.COMPOSIO)
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ComposioResource {

    private final RunService runs;
    private final ConnectedAccounts accounts;
    private final EntityAccounts entities;
    private final Caller caller;
    private final Planner planner;

    ComposioResource(RunService runs, ConnectedAccounts accounts, EntityAccounts entities, Caller caller,
            Planner planner) {
        this.planner = planner;
        this.runs = runs;
        this.accounts = accounts;
        this.entities = entities;
        this.caller = caller;
    }

    /** Composio's ActionExecutionReqDTO. */
    public record ExecuteRequest(String connectedAccountId, String appName, String entityId, JsonNode input,
            JsonNode sessionInfo, JsonNode authConfig, String text, String customDescription, String systemPrompt,
            String version, Boolean allowTracing) {
    }

    /** Composio's response; {@code successfull} is kept for clients of the old spelling. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ExecuteResponse(JsonNode data, boolean successful, boolean successfull, String error, String logId,
            JsonNode sessionInfo) {
    }

    @POST
    @Path("v2/actions/{actionId}/execute")
    public Uni<ExecuteResponse> execute(@PathParam("actionId") String actionId, ExecuteRequest body) {
        ExecuteRequest request = body != null ? body
                : new ExecuteRequest(null, null, null, null, null, null, null, null, null, null, null);
        check(request);
        Principal who = caller.principal();
        Integer version = version(request.version());
        return runs.runnable(who.ownerId(), actionId, version, "/actionId").chain(action -> {
            String app = action.parsed().http().integrationKey();
            if (request.appName() != null && !request.appName().equals(app)) {
                throw new Invalid("app_mismatch",
                        "the action " + actionId + " belongs to " + app + ", not " + request.appName(), "/appName");
            }
            return credentials(who, action, request).chain(chosen -> input(request, action).chain(input -> {
                String userId = request.entityId() != null ? request.entityId() : "default";
                // an input the model made from text is checked like a given one (pointers into /input)
                return runs.start(who, action, input, "/input", userId, chosen.accountId(), chosen.passThrough(),
                        RunStore.Delivery.NATIVE, true);
            }));
        }).map(accepted -> answer(accepted, request));
    }

    /** The given input, or one the language model made from {@code text}. */
    private Uni<JsonNode> input(ExecuteRequest request, RunnableAction action) {
        if (request.input() != null && !request.input().isNull()) {
            return Uni.createFrom().item(request.input());
        }
        if (request.text() == null) {
            return Uni.createFrom().item(Json.mapper().createObjectNode());
        }
        if (!planner.configured()) {
            throw new Invalid("text_unsupported",
                    "turning text into an input needs a language model (RUNWIRE_PLANNER_BASE_URL): give input",
                    "/text");
        }
        String prompt = request.customDescription() == null ? request.systemPrompt()
                : (request.systemPrompt() == null ? "" : request.systemPrompt() + "\n") + request.customDescription();
        return planner.input(request.text(), prompt, action).map(made -> {
            if (!made.isObject()) {
                throw new Invalid("text_not_understood", "the language model made no input object", "/text");
            }
            return made;
        });
    }

    /** The connection a call uses: an account by id, or credentials for this call only. */
    private record Chosen(UUID accountId, JsonNode passThrough) {
    }

    private Uni<Chosen> credentials(Principal who, RunnableAction action, ExecuteRequest request) {
        String app = action.parsed().http().integrationKey();
        if (request.authConfig() != null) {
            return accounts.scheme(who.ownerId(), app).map(scheme -> {
                if (scheme == null || !scheme.needsAccount()) {
                    throw new Invalid("no_auth", "the app " + app + " takes no credentials", "/authConfig");
                }
                List<Problem> problems = new ArrayList<>();
                scheme.credentialProblems(request.authConfig(), "/authConfig", problems);
                if (!problems.isEmpty()) {
                    throw new Invalid(problems);
                }
                return new Chosen(null,
                        Json.mapper().valueToTree(List.of(scheme.passThrough(app, request.authConfig()))));
            });
        }
        if (request.connectedAccountId() != null) {
            UUID id = QueryParams.id(request.connectedAccountId(), "connected account");
            return entities.integrationOf(who.ownerId(), id).map(integration -> {
                if (integration == null) {
                    throw new NotFound("no active connected account with id " + request.connectedAccountId());
                }
                if (!integration.equals(app)) {
                    throw new Invalid("account_mismatch", "the connected account is for " + integration
                            + "; the action " + action.key() + " needs " + app, "/connectedAccountId");
                }
                return new Chosen(id, null);
            });
        }
        if (request.entityId() != null) {
            return entities.ofEntity(who.ownerId(), app, request.entityId()).map(id -> new Chosen(id, null));
        }
        return Uni.createFrom().item(new Chosen(null, null));
    }

    private static ExecuteResponse answer(Accepted accepted, ExecuteRequest request) {
        boolean tracing = Boolean.TRUE.equals(request.allowTracing());
        String logId = tracing ? accepted.runId().toString() : null;
        JsonNode session = tracing ? request.sessionInfo() : null;
        RunEvent end = accepted.terminal();
        if (end == null) {
            return new ExecuteResponse(Json.mapper().createObjectNode(), false, false,
                    "the action is still running; its log id is " + accepted.runId(), accepted.runId().toString(),
                    session);
        }
        if (end.type() == RunEventType.RUN_SUCCEEDED) {
            return new ExecuteResponse(Json.mapper().valueToTree(end.output()), true, true, null, logId, session);
        }
        return new ExecuteResponse(Json.mapper().createObjectNode(), false, false,
                end.error() == null ? "the action failed" : end.error().message(), logId, session);
    }

    private static void check(ExecuteRequest request) {
        List<Problem> errors = new ArrayList<>();
        if (request.input() != null && !request.input().isNull() && !request.input().isObject()) {
            errors.add(Problem.at("invalid_input", "input must be an object", "/input"));
        }
        if (request.authConfig() != null && !request.authConfig().isObject()) {
            errors.add(Problem.at("invalid_auth_config", "authConfig must be an object", "/authConfig"));
        }
        if (request.sessionInfo() != null && !request.sessionInfo().isNull() && !request.sessionInfo().isObject()) {
            errors.add(Problem.at("invalid_session_info", "sessionInfo must be an object", "/sessionInfo"));
        }
        if (request.text() != null && (request.text().isBlank() || request.text().length() > 10_000)) {
            errors.add(Problem.at("invalid_text", "text is 1-10000 characters", "/text"));
        }
        if (request.entityId() != null && (request.entityId().isBlank() || request.entityId().length() > 256)) {
            errors.add(Problem.at("invalid_entity", "entityId is 1-256 characters", "/entityId"));
        }
        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
    }

    private static Integer version(String version) {
        if (version == null || version.equalsIgnoreCase("latest")) {
            return null;
        }
        try {
            return Integer.parseInt(version.trim());
        } catch (NumberFormatException e) {
            throw new Invalid("invalid_version", "version is a whole number or latest", "/version");
        }
    }

    /** The action's schema, as Composio shows an action: its parameters are the input schema. */
    @GET
    @Path("v2/actions/{actionName}")
    public Uni<Map<String, Object>> action(@PathParam("actionName") String actionName) {
        return runs.runnable(caller.ownerId(), actionName, "/actionName").map(action -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", action.key());
            view.put("enum", action.key());
            view.put("appName", action.parsed().http().integrationKey());
            view.put("description", action.intent());
            view.put("version", String.valueOf(action.version()));
            view.put("parameters",
                    action.parsed().inputSchema() == null ? Map.of("type", "object") : action.parsed().inputSchema());
            view.put("response",
                    action.parsed().outputSchema() == null ? Map.of("type", "object") : action.parsed().outputSchema());
            view.put("deprecated", false);
            return view;
        });
    }

    /** The owner's connected accounts in Composio's list shape; never their credentials. */
    @GET
    @Path("v1/connectedAccounts")
    public Uni<Map<String, Object>> connectedAccounts(@QueryParam("user_uuid") String entityId,
            @QueryParam("appNames") String appName, @QueryParam("page") String page,
            @QueryParam("pageSize") String pageSize) {
        int number = QueryParams.bounded(page, "page", 1, 1000);
        int size = QueryParams.bounded(pageSize, "pageSize", 20, 100);
        return accounts.listed(caller.ownerId(), entityId, appName, number, size).map(listed -> {
            List<Map<String, Object>> items = listed.stream().map(account -> {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("id", account.id());
                item.put("appName", account.integrationKey());
                item.put("clientUniqueUserId", account.entityId() != null ? account.entityId() : account.userId());
                item.put("status", account.status().toUpperCase(java.util.Locale.ROOT));
                item.put("createdAt", account.createdAt());
                item.put("updatedAt", account.updatedAt());
                return item;
            }).toList();
            return Map.of("items", items, "page", number, "pageSize", size);
        });
    }
}

package dev.runwire.api.openapi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.tags.Tag;

import io.quarkus.smallrye.openapi.OpenApiFilter;

import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.ErrorTable;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.Surface;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;

/**
 * Completes the scanned document so that clients can be generated from it and a linter accepts it. What every operation
 * of a kind has is derived, so that a new resource gets it without anyone remembering: security from the resource's
 * {@link ApiSurface} (API key or bearer token; the admin token under {@code /admin}; nothing for the resources that
 * check callers their own way), the error answers every such operation gives in its surface's envelope and status
 * ({@link Surface#status}), with examples rendered by the surface itself, the rate-limit, retry, location and replay
 * headers, a tag per surface. {@link Operations} adds what only a person can say: names, words, success answers of
 * methods that build a {@code Response}, statuses of their own logic, example requests. The scanner names each
 * operation {@code package.Class_method} (operation-id-strategy), which is how an operation's resource class is found.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ApiDescription implements OASFilter {

    /** Who may call: an API key or token, the admin token, anyone (the check is the operation's own). */
    enum Access {
        KEY, ADMIN, PUBLIC
    }

    /** Fields whose schema is a JSON Schema, or a free-form JSON object, by property name. */
    private static final Set<String> SCHEMA_FIELDS = Set.of("inputSchema", "outputSchema", "expects",
            "input_json_schema", "output_schema", "parameters", "response");
    private static final Set<String> OBJECT_FIELDS = Set.of("input", "inputs", "credentials", "config", "sessionInfo",
            "authConfig", "action_trigger", "values", "meta");

    /** Required properties of request bodies, by component. */
    private static final Map<String, List<String>> REQUIRED = Map.ofEntries(
            Map.entry("CreateRunRequest", List.of("intent", "selectedCustomerIntegrationIds", "userId")),
            Map.entry("Plan", List.of("steps")), Map.entry("Step", List.of("id", "action")),
            Map.entry("ActionRef", List.of("key")), Map.entry("RunActionRequest", List.of("key", "userId")),
            Map.entry("ApproveWithEdit", List.of("token")), Map.entry("NewOwner", List.of("name")),
            Map.entry("Credit", List.of("tasks")), Map.entry("IntegrationRequest", List.of("key", "baseUrl")),
            Map.entry("ConnectRequest", List.of("integrationKey")), Map.entry("NewAgent", List.of("name")),
            Map.entry("RunView", List.of("runId", "status")), Map.entry("CreatedRun", List.of("runId", "status")),
            Map.entry("RunActionResponse", List.of("runId")), Map.entry("RunAccepted", List.of("runId", "status")),
            Map.entry("RunEvent", List.of("eventId", "runId", "seq", "type", "at")),
            Map.entry("ApprovalDecision", List.of("runId", "decision", "alreadyDecided")),
            Map.entry("CreatedOwner", List.of("ownerId", "name", "apiKey")),
            Map.entry("ZapierRunAccepted", List.of("type", "id")),
            Map.entry("ZapierRun", List.of("type", "id", "status")));

    /** Closed sets of values, by component and property. */
    private static final Map<String, List<String>> ENUMS = Map.ofEntries(
            Map.entry("RunView.status", names(RunStatus.values())),
            Map.entry("CreatedRun.status", names(RunStatus.values())),
            Map.entry("Aborted.status", names(RunStatus.values())),
            Map.entry("RunAccepted.status", names(RunStatus.values())),
            Map.entry("CreateRunRequest.approvalStrategy", List.of("ON_START", "ON_TOOL_CALL")),
            Map.entry("CreateRequest.approval", dev.runwire.api.mcp.McpServer.APPROVALS),
            Map.entry("McpServerView.approval", dev.runwire.api.mcp.McpServer.APPROVALS),
            Map.entry("ApprovalDecision.decision", List.of("approved", "denied")),
            Map.entry("AccountView.status", List.of("initiated", "active", "expired", "revoked", "failed")),
            Map.entry("ZapierRun.status", List.of("waiting", "success", "error")),
            Map.entry("ZapierRunAccepted.type", List.of("run")),
            Map.entry("DeliveryView.state", List.of("pending", "succeeded", "failed")));

    /** Tags of the compatibility surfaces and the native API's areas, with what they are. */
    private static final Map<String, String> TAGS = new LinkedHashMap<>();
    static {
        TAGS.put("Runs", "Runs of plans and single actions, their events and approvals (toolregistry's runs API)");
        TAGS.put("Actions", "The action registry: JSON Schemas and request templates (toolregistry's actions API)");
        TAGS.put("Integrations", "An owner's configured integrations: base URL and authentication");
        TAGS.put("Connected accounts", "A user's credentials for an integration, and the OAuth 2 connect flow");
        TAGS.put("Callbacks", "Signed callbacks of runs: deliveries and the signing secret");
        TAGS.put("Billing", "The task balance and its ledger");
        TAGS.put("MCP and tools",
                "MCP servers scoped to a user and a set of actions, and the actions as tool definitions for agents");
        TAGS.put("Admin", "Operator endpoints, with the admin token");
        TAGS.put("Zapier Actions API", "Zapier's Actions API: stored actions and runs (JSON:API documents)");
        TAGS.put("talkover agents", "talkover's agents API: agents and their actions ({success, data} envelopes)");
        TAGS.put("Composio", "Composio's execute API ({data, successful, error, logId} envelopes)");
    }

    /**
     * A typical problem of the statuses whose bare rendering says little, for the examples (each surface renders it its
     * own way).
     */
    private static final Map<Integer, Problem> TYPICAL = Map.of(402,
            Problem.of("payment_required", "no task left on the owner's balance"), 409,
            Problem.of("request_in_flight", "a request with this Idempotency-Key is still being handled"), 422,
            Problem.at("input_invalid", "required key [city] not found", "/input"), 429,
            Problem.of("too_many_requests", "over the rate limit of 200 requests per 300 s"), 502,
            Problem.of("integration_error", "the integration answered 500"));

    @Override
    public void filterOpenAPI(OpenAPI api) {
        schemas(api);
        Set<String> tags = new TreeSet<>();
        Set<String> ids = new TreeSet<>();
        if (api.getPaths() != null && api.getPaths().getPathItems() != null) {
            new TreeMap<>(api.getPaths().getPathItems()).forEach((path, item) -> {
                if (item.getOperations() == null) {
                    return;
                }
                item.getOperations().forEach((method, op) -> {
                    describe(path, method, op, ids);
                    tags.addAll(op.getTags() == null ? List.of() : op.getTags());
                });
            });
        }
        List<Tag> declared = new ArrayList<>();
        TAGS.forEach((name, what) -> {
            if (tags.remove(name)) {
                declared.add(OASFactory.createTag().name(name).description(what));
            }
        });
        tags.forEach(name -> declared.add(OASFactory.createTag().name(name).description("Operations of " + name)));
        api.setTags(declared);
        unused(api);
    }

    /**
     * Drops component schemas that nothing refers to any more (the scanner's view of a generic envelope whose
     * operations now name their own).
     */
    private static void unused(OpenAPI api) {
        if (api.getComponents() == null || api.getComponents().getSchemas() == null) {
            return;
        }
        Set<String> used = new TreeSet<>();
        List<Schema> pending = new ArrayList<>();
        api.getPaths().getPathItems().values().forEach(item -> item.getOperations().values().forEach(op -> {
            if (op.getParameters() != null) {
                op.getParameters().forEach(p -> pending.add(p.getSchema()));
            }
            if (op.getRequestBody() != null && op.getRequestBody().getContent() != null) {
                op.getRequestBody().getContent().getMediaTypes().values().forEach(m -> pending.add(m.getSchema()));
            }
            op.getResponses().getAPIResponses().values().forEach(r -> {
                if (r.getContent() != null) {
                    r.getContent().getMediaTypes().values().forEach(m -> pending.add(m.getSchema()));
                }
            });
        }));
        Map<String, Schema> all = api.getComponents().getSchemas();
        while (!pending.isEmpty()) {
            Schema schema = pending.remove(pending.size() - 1);
            if (schema == null) {
                continue;
            }
            if (schema.getRef() != null) {
                String name = schema.getRef().substring(schema.getRef().lastIndexOf('/') + 1);
                if (used.add(name) && all.get(name) != null) {
                    pending.add(all.get(name));
                }
            }
            if (schema.getProperties() != null) {
                pending.addAll(schema.getProperties().values());
            }
            pending.add(schema.getItems());
            pending.add(schema.getAdditionalPropertiesSchema());
            pending.add(schema.getNot());
            for (List<Schema> list : Arrays.asList(schema.getAllOf(), schema.getAnyOf(), schema.getOneOf())) {
                if (list != null) {
                    pending.addAll(list);
                }
            }
        }
        new ArrayList<>(all.keySet()).stream().filter(name -> !used.contains(name))
                .forEach(api.getComponents()::removeSchema);
    }

    // ------------------------------------------------------------------ operations

    private void describe(String path, PathItem.HttpMethod method, Operation op, Set<String> ids) {
        String route = method.name() + " " + path;
        Origin origin = Origin.of(op.getOperationId());
        ApiSurface declared = origin == null ? null : Surface.declared(origin.type());
        Surface surface = declared != null ? declared.value() : Surface.of(path);
        Access access = declared == null || declared.apiKey() ? Access.KEY
                : path.startsWith("/admin/") ? Access.ADMIN : Access.PUBLIC;
        Operations.Spec spec = Operations.BY_ROUTE.get(route);

        String id = spec != null ? spec.id()
                : op.getOperationId() != null && origin == null ? op.getOperationId() : derivedId(origin, route);
        while (!ids.add(id)) {
            id = id + "_";
        }
        op.setOperationId(id);
        if (spec != null) {
            op.setSummary(spec.summary());
            op.setDescription(spec.description());
        } else {
            if (op.getSummary() == null) {
                op.setSummary(route);
            }
            if (op.getDescription() == null) {
                op.setDescription(op.getSummary() + ".");
            }
        }
        op.setTags(List.of(tag(surface, path)));
        op.setSecurity(security(access));
        if (op.getParameters() != null) {
            // the security schemes say it: a header parameter named Authorization is not allowed beside them
            op.setParameters(new ArrayList<>(op.getParameters().stream()
                    .filter(p -> !("Authorization".equalsIgnoreCase(p.getName()) && p.getIn() == Parameter.In.HEADER))
                    .toList()));
            op.getParameters().forEach(p -> parameter(path, p));
        }
        if (spec != null && spec.example() != null && op.getRequestBody() != null
                && op.getRequestBody().getContent() != null) {
            MediaType json = op.getRequestBody().getContent().getMediaType("application/json");
            if (json != null) {
                json.setExample(Json.mapper().convertValue(Json.tree(spec.example()), Object.class));
            }
        }
        responses(op, spec, surface, access);
    }

    private static String derivedId(Origin origin, String route) {
        if (origin == null) {
            return route.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        }
        String name = origin.type().getSimpleName().replaceFirst("Resource$", "");
        return origin.method() + name;
    }

    private static String tag(Surface surface, String path) {
        switch (surface) {
        case ZAPIER:
            return "Zapier Actions API";
        case TALKOVER:
            return "talkover agents";
        case COMPOSIO:
            return "Composio";
        default:
            break;
        }
        String[] segments = path.split("/");
        if (segments.length > 1 && segments[1].equals("admin")) {
            return "Admin";
        }
        if (segments.length > 1 && segments[1].equals("oauth")) {
            return "Connected accounts";
        }
        String area = segments.length > 2 && segments[1].equals("v1") ? segments[2] : segments[1];
        return switch (area) {
        case "runs" -> "Runs";
        case "actions" -> path.equals("/v1/actions/run") ? "Runs" : "Actions";
        case "integrations" -> "Integrations";
        case "connected-accounts" -> "Connected accounts";
        case "callbacks", "webhook-secret" -> "Callbacks";
        case "billing" -> "Billing";
        case "mcp-servers", "tools", "mcp" -> "MCP and tools";
        default -> area.isEmpty() ? "Other"
                : Character.toUpperCase(area.charAt(0)) + area.substring(1).replace('-', ' ');
        };
    }

    private static List<SecurityRequirement> security(Access access) {
        return switch (access) {
        case KEY -> List.of(OASFactory.createSecurityRequirement().addScheme("apiKey"),
                OASFactory.createSecurityRequirement().addScheme("bearerAuth"));
        case ADMIN -> List.of(OASFactory.createSecurityRequirement().addScheme("adminToken"));
        case PUBLIC -> new ArrayList<>();
        };
    }

    private static void parameter(String path, Parameter p) {
        if (p.getSchema() == null) {
            return;
        }
        if (p.getName().startsWith("include") && p.getIn() == Parameter.In.QUERY) {
            p.getSchema().setEnumeration(List.of("true", "false"));
        }
        if (p.getName().equals("status") && path.equals("/v1/runs")) {
            p.getSchema().setEnumeration(new ArrayList<>(names(RunStatus.values())));
        }
        if (p.getIn() == Parameter.In.PATH) {
            p.setRequired(true);
        }
    }

    // ------------------------------------------------------------------ answers

    private void responses(Operation op, Operations.Spec spec, Surface surface, Access access) {
        if (op.getResponses() == null) {
            op.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = op.getResponses();
        if (spec != null && spec.success() != 0) {
            APIResponse scanned = responses.getAPIResponse("200");
            if (spec.success() != 200 || spec.schema() != null) {
                responses.removeAPIResponse("200");
                responses.addAPIResponse(String.valueOf(spec.success()),
                        success(spec.success(), spec.schema(), scanned));
            }
            spec.also().forEach((status, schema) -> responses.addAPIResponse(String.valueOf(status),
                    success(status, schema, null)));
            // what the scanner guessed from the method's type (a 204 of a void route) is not an answer it gives
            new ArrayList<>(responses.getAPIResponses().keySet()).stream().filter(key -> key.startsWith("2")
                    && !key.equals(String.valueOf(spec.success())) && !spec.also().containsKey(Integer.parseInt(key)))
                    .forEach(responses::removeAPIResponse);
        }
        // 500 anywhere; 503 wherever PostgreSQL is unreachable (every operation reads or writes it) or Kafka is away
        TreeSet<Integer> errors = new TreeSet<>(List.of(500, 503));
        if (access == Access.KEY) {
            errors.addAll(List.of(401, 429));
        } else if (access == Access.ADMIN) {
            errors.add(401);
        }
        if (op.getRequestBody() != null) {
            errors.addAll(List.of(400, 413, 415));
        }
        boolean replays = false;
        for (Parameter p : op.getParameters() == null ? List.<Parameter> of() : op.getParameters()) {
            if (p.getIn() == Parameter.In.QUERY) {
                errors.add(400);
            } else if (p.getIn() == Parameter.In.PATH) {
                errors.add(404);
            } else if (p.getIn() == Parameter.In.HEADER && "Idempotency-Key".equalsIgnoreCase(p.getName())) {
                errors.addAll(List.of(409, 422));
                p.setDescription("a key of your own (at most 255 characters): a repeat within 72 h replays the "
                        + "first answer, another body under it is 422, a repeat in flight 409");
                replays = true;
            }
        }
        if (spec != null) {
            errors.addAll(spec.errors());
        }
        // Zapier's idempotency_id (in the body) replays the first answer of a run request
        replays |= surface == Surface.ZAPIER && spec != null && spec.success() == 202;
        for (int status : errors) {
            int answered = surface.status(status);
            String key = String.valueOf(answered);
            APIResponse present = responses.getAPIResponse(key);
            if (present != null && present.getContent() != null && !present.getContent().getMediaTypes().isEmpty()) {
                continue; // the operation says it itself
            }
            String description = present != null && present.getDescription() != null
                    && !present.getDescription().equals(ErrorTable.title(answered)) ? present.getDescription()
                            : meaning(answered, access);
            responses.addAPIResponse(key, error(surface, status, description));
        }
        Map<String, APIResponse> all = responses.getAPIResponses();
        for (Map.Entry<String, APIResponse> entry : all.entrySet()) {
            int status = Integer.parseInt(entry.getKey());
            APIResponse response = entry.getValue();
            if (response.getDescription() == null || response.getDescription().isBlank()) {
                response.setDescription(status < 300 ? "Success" : ErrorTable.title(status));
            }
            if (access == Access.KEY && status != surface.status(401)) {
                header(response, "X-RateLimit-Limit");
                header(response, "X-RateLimit-Remaining");
                header(response, "X-RateLimit-Reset");
            }
            if (status == 429 || status == 503) {
                header(response, "Retry-After");
            }
            if (spec != null && spec.location().contains(status)) {
                header(response, "Location");
            }
            if (replays && status < 300) {
                header(response, "Idempotent-Replayed");
            }
        }
    }

    private static void header(APIResponse response, String name) {
        response.addHeader(name, OASFactory.createHeader().ref(name));
    }

    private static APIResponse success(int status, String schema, APIResponse scanned) {
        APIResponse response = OASFactory.createAPIResponse().description(switch (status) {
        case 200 -> "OK";
        case 201 -> "Created";
        case 202 -> "Accepted";
        case 204 -> "No content";
        case 302 -> "Redirect to the connection's returnUrl, with connectedAccountId and status in the query";
        default -> "Success";
        });
        if (schema == null && scanned != null) {
            response.setContent(scanned.getContent());
        } else if (schema != null && !schema.isEmpty()) {
            response.setContent(json(OASFactory.createSchema().ref(schema), null));
        }
        return response;
    }

    private static APIResponse error(Surface surface, int status, String description) {
        Problem typical = TYPICAL.get(status);
        List<ErrorObject> errors = typical == null ? List.of() : List.of(ErrorTable.object(status, typical));
        Object example = Json.mapper().convertValue(surface.body(status, errors), Object.class);
        String schema = switch (surface) {
        case TALKOVER -> "TalkoverFailure";
        case COMPOSIO -> "ComposioFailure";
        case MCP -> "JsonRpcError";
        default -> "JsonApiErrors";
        };
        return OASFactory.createAPIResponse().description(description)
                .content(json(OASFactory.createSchema().ref(schema), example));
    }

    private static Content json(Schema schema, Object example) {
        MediaType media = OASFactory.createMediaType().schema(schema);
        if (example != null) {
            media.setExample(example);
        }
        return OASFactory.createContent().addMediaType("application/json", media);
    }

    private static String meaning(int status, Access access) {
        return switch (status) {
        case 400 -> "The request is malformed: not JSON, or a parameter or field out of its range (with a pointer)";
        case 401 -> access == Access.ADMIN ? "The admin token is missing or wrong" : "No valid API key or token";
        case 402 -> "No task left on the owner's balance (billing by JWT); nothing was written";
        case 403 -> "No valid API key or token (Zapier's permission_denied)";
        case 404 -> "No such resource for this owner (another owner's ids are 404 too)";
        case 409 -> "Conflicts with the resource's state, or a request with the same idempotency key is in flight";
        case 413 -> "The body is too large";
        case 415 -> "The body is not application/json";
        case 422 -> "The body cannot be accepted: each problem with a pointer";
        case 429 -> "Over the rate limit; retry after Retry-After";
        case 500 -> "An unexpected failure; nothing about it is shown";
        case 502 -> "A service Runwire called failed (the integration, a token endpoint, the planner)";
        case 503 -> "PostgreSQL (or, for a run request, Kafka) cannot take the request now; nothing was written; "
                + "retry after Retry-After";
        default -> ErrorTable.title(status);
        };
    }

    // ------------------------------------------------------------------ schemas

    private void schemas(OpenAPI api) {
        if (api.getComponents() == null || api.getComponents().getSchemas() == null) {
            return;
        }
        Map<String, Schema> all = api.getComponents().getSchemas();
        all.forEach((name, schema) -> {
            if (schema.getProperties() != null) {
                schema.getProperties().forEach((property, value) -> property(name, property, value));
            }
            List<String> required = REQUIRED.get(name);
            if (required != null && schema.getProperties() != null) {
                schema.setRequired(required.stream().filter(schema.getProperties()::containsKey).toList());
            }
        });
        for (String name : List.of("RunView", "CreatedRun")) {
            Schema run = all.get(name);
            if (run != null && run.getProperties() != null && run.getProperties().get("events") != null) {
                run.getProperties().get("events").setItems(OASFactory.createSchema().ref("RunEvent"));
            }
        }
        Schema event = all.get("RunEvent");
        if (event != null) {
            event.setDescription("One thing that happened to a run: stored, streamed over SSE (`event:` is its type) "
                    + "and delivered to callbacks. Types: " + String.join(", ", names(RunEventType.values())) + ".");
        }
    }

    private static void property(String component, String property, Schema value) {
        List<String> values = ENUMS.get(component + "." + property);
        if (values != null) {
            value.setEnumeration(new ArrayList<>(values));
        }
        if (!freeForm(value)) {
            return;
        }
        if (property.equals("passThrough")) {
            value.setRef("PassThrough");
        } else if (property.equals("input_schema")) {
            value.setRef("JsonValue"); // talkover's array form, or a draft-7 object schema
        } else if (SCHEMA_FIELDS.contains(property)) {
            value.setRef("JsonSchema");
        } else if (OBJECT_FIELDS.contains(property)) {
            value.setRef("JsonObject");
        }
    }

    /** A property the scanner could only describe as Jackson's tree (mapped to {@code JsonValue} by configuration). */
    private static boolean freeForm(Schema value) {
        String ref = value.getRef();
        return ref != null && (ref.endsWith("/JsonValue") || ref.endsWith("/JsonNode"));
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }

    /** The resource class and method an operation was scanned from ({@code package.Class_method}). */
    record Origin(Class<?> type, String method) {

        static Origin of(String operationId) {
            if (operationId == null || operationId.indexOf('_') < 0 || operationId.indexOf('.') < 0) {
                return null;
            }
            int split = operationId.lastIndexOf('_');
            try {
                Class<?> type = Class.forName(operationId.substring(0, split), false,
                        Thread.currentThread().getContextClassLoader());
                return new Origin(type, operationId.substring(split + 1));
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            }
        }
    }
}

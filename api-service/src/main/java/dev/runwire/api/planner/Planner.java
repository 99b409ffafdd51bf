package dev.runwire.api.planner;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.UpstreamFailed;
import dev.runwire.model.json.Json;

/**
 * Turns an intent into a plan with a language model behind any OpenAI-compatible chat-completions endpoint: the actions
 * the run may use are offered with their schemas, and the model must answer by calling the {@code make_plan} tool. Its
 * plan is then checked like an explicit one; an answer that is not a plan is a clear 502, never a half-run.
 */
@ApplicationScoped
public class Planner {

    private static final Logger LOG = Logger.getLogger(Planner.class);
    static final String TOOL = "make_plan";
    static final String INPUT_TOOL = "make_input";
    private static final String INSTRUCTIONS = """
            You turn a user's intent into an execution plan over the actions listed below, and answer only by \
            calling the make_plan tool once. Each step runs one action with an input that satisfies the action's \
            inputSchema. Steps run as soon as the steps in their dependsOnSteps have succeeded; independent steps \
            run at the same time. A value of an input may come from an earlier step's output, written as \
            {"$fromStep": "<step id>", "$pointer": "<JSON pointer into its output>"}; that step must be among the \
            step's dependencies, directly or through others. Use only the actions listed.""";

    private final ApiConfig config;
    private final WebClient client;

    Planner(ApiConfig config, Vertx vertx) {
        this.config = config;
        this.client = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false).setConnectTimeout(10_000)
                .setUserAgent("runwire-planner"));
    }

    public boolean configured() {
        return config.planner().baseUrl().filter(url -> !url.isBlank()).isPresent();
    }

    public int maxActions() {
        return config.planner().maxActions();
    }

    /** A plan for the intent over the given actions, as the model proposed it (not yet checked). */
    public Uni<PlanView.Plan> plan(String intent, String context, List<RunnableAction> actions) {
        if (actions.isEmpty()) {
            throw new Invalid("no_actions", "no active action is available to plan with",
                    "/selectedCustomerIntegrationIds");
        }
        return call(body(intent, context, actions), TOOL).map(Planner::planOf);
    }

    /**
     * An input for the action made from the user's text: the model must call the {@code make_input} tool, whose
     * parameters are the action's input schema. The caller checks the input against the schema.
     */
    public Uni<JsonNode> input(String text, String systemPrompt, RunnableAction action) {
        String instructions = (systemPrompt == null || systemPrompt.isBlank() ? "" : systemPrompt + "\n")
                + "Turn the user's request into the input of the action \"" + action.key() + "\" (" + action.intent()
                + ") and answer only by calling the " + INPUT_TOOL + " tool once.";
        JsonNode schema = action.parsed().inputSchema() == null ? Json.mapper().createObjectNode().put("type", "object")
                : action.parsed().inputSchema();
        Map<String, Object> body = Map.of("model", config.planner().model(), "messages",
                List.of(Map.of("role", "system", "content", instructions), Map.of("role", "user", "content", text)),
                "tools",
                List.of(Map.of("type", "function", "function",
                        Map.of("name", INPUT_TOOL, "description", "Submit the action's input", "parameters", schema))),
                "tool_choice", Map.of("type", "function", "function", Map.of("name", INPUT_TOOL)));
        return call(body, INPUT_TOOL);
    }

    /** Sends a chat-completions request and returns the arguments of the one tool call the model must answer with. */
    private Uni<JsonNode> call(Map<String, Object> body, String tool) {
        String base = config.planner().baseUrl().orElseThrow();
        var request = client.postAbs((base.endsWith("/") ? base : base + "/") + "chat/completions")
                .timeout(config.planner().timeout().toMillis()).putHeader("Content-Type", "application/json");
        config.planner().apiKey().ifPresent(key -> request.putHeader("Authorization", "Bearer " + key));
        return request.sendBuffer(io.vertx.mutiny.core.buffer.Buffer.buffer(Json.write(body))).onFailure()
                .transform(failure -> {
                    LOG.warnf("language model call failed: %s", failure.getClass().getSimpleName());
                    return upstream("planner_unavailable",
                            "the language model could not be reached or did not answer in time");
                }).map(response -> arguments(response, tool));
    }

    private Map<String, Object> body(String intent, String context, List<RunnableAction> actions) {
        ArrayNode catalog = Json.mapper().createArrayNode();
        for (RunnableAction action : actions) {
            ObjectNode entry = catalog.addObject().put("key", action.key()).put("intent", action.intent());
            entry.set("inputSchema", action.parsed().inputSchema());
        }
        String user = "Intent: " + intent + (context == null || context.isBlank() ? "" : "\nContext: " + context);
        return Map
                .of("model", config.planner().model(), "messages",
                        List.of(Map.of("role", "system", "content",
                                INSTRUCTIONS + "\nActions: " + catalog), Map.of("role", "user", "content", user)),
                        "tools",
                        List.of(Map.of("type", "function", "function",
                                Map.of("name", TOOL, "description", "Submit the execution plan", "parameters",
                                        planSchema(actions.stream().map(RunnableAction::key).toList())))),
                        "tool_choice", Map.of("type", "function", "function", Map.of("name", TOOL)));
    }

    private static Map<String, Object> planSchema(List<String> keys) {
        Map<String, Object> step = Map.of("type", "object", "required",
                List.of("id", "description", "dependsOnSteps", "action", "input"), "properties",
                Map.of("id", Map.of("type", "string"), "description", Map.of("type", "string"), "dependsOnSteps",
                        Map.of("type", "array", "items", Map.of("type", "string")), "action",
                        Map.of("type", "object", "required", List.of("key"), "properties",
                                Map.of("key", Map.of("type", "string", "enum", keys))),
                        "input", Map.of("type", "object")));
        return Map.of("type", "object", "required", List.of("description", "steps"), "properties",
                Map.of("title", Map.of("type", "string"), "description", Map.of("type", "string"), "steps",
                        Map.of("type", "array", "minItems", 1, "items", step)));
    }

    private static JsonNode arguments(HttpResponse<io.vertx.mutiny.core.buffer.Buffer> response, String tool) {
        if (response.statusCode() < 200 || response.statusCode() >= 300) {
            throw upstream("planner_unavailable", "the language model answered HTTP " + response.statusCode());
        }
        try {
            JsonNode answer = Json.tree(response.bodyAsString());
            JsonNode call = answer.path("choices").path(0).path("message").path("tool_calls").path(0).path("function");
            if (!tool.equals(call.path("name").asText()) || !call.path("arguments").isTextual()) {
                throw upstream("planner_invalid_answer", "the language model did not answer with a " + tool + " call");
            }
            return Json.tree(call.path("arguments").asText());
        } catch (IllegalArgumentException e) {
            throw upstream("planner_invalid_answer", "the language model's answer is not valid JSON");
        }
    }

    private static PlanView.Plan planOf(JsonNode arguments) {
        try {
            PlanView.Plan plan = Json.mapper().treeToValue(arguments, PlanView.Plan.class);
            if (plan == null || plan.steps() == null) {
                throw upstream("planner_invalid_answer", "the planner's plan has no steps");
            }
            return plan;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw upstream("planner_invalid_answer", "the planner's plan does not have the plan's shape");
        }
    }

    public static UpstreamFailed upstream(String code, String detail) {
        return new UpstreamFailed(code, detail);
    }

    /** The problems of a plan the model made, reported as the model's fault, with their pointers into its plan. */
    public static UpstreamFailed invalidPlan(Invalid checks) {
        return new UpstreamFailed(
                new Problem("planner_plan_invalid", "the planner proposed a plan that cannot run", null,
                        Map.of("violations",
                                checks.problems().stream()
                                        .map(e -> Map.of("code", e.code(), "detail", e.detail(), "pointer",
                                                e.source() == null ? "" : String.valueOf(e.source().pointer())))
                                        .toList())));
    }

}

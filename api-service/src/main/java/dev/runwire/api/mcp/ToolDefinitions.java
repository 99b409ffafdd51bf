package dev.runwire.api.mcp;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.model.json.Json;

/**
 * An action as a tool definition: the MCP {@code Tool} that {@code tools/list} answers, and the same tool for the
 * OpenAI (Chat Completions {@code tools}) and Anthropic (Messages {@code tools}) APIs (ADR 0037). One place, so the MCP
 * server and {@code GET /v1/tools} cannot drift apart.
 */
public final class ToolDefinitions {

    /** The formats {@code GET /v1/tools} renders; the first is the default. */
    public enum Format {
        OPENAI, ANTHROPIC, MCP;

        static final String NAMES = "openai, anthropic, mcp";

        /** The format a {@code format} query parameter names; absent is {@code openai}; anything else a 400. */
        public static Format of(String value) {
            if (value == null) {
                return OPENAI;
            }
            for (Format format : values()) {
                if (format.name().toLowerCase(Locale.ROOT).equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return format;
                }
            }
            throw new Malformed("format is one of " + NAMES, ErrorObject.Source.parameter("format"));
        }
    }

    /** Keywords that only name the schema document; OpenAI's and Anthropic's schema subsets have no use for them. */
    private static final Set<String> DOCUMENT_KEYWORDS = Set.of("$schema", "$id");
    /** Top-level keywords Anthropic refuses beside {@code type: object} (and OpenAI ignores or refuses). */
    private static final Set<String> TOP_LEVEL_REFUSED = Set.of("oneOf", "anyOf", "allOf", "not", "enum", "const", "if",
            "then", "else");
    /** Where a wrapped schema's own definitions go, so that its {@code $ref}s still resolve from the root. */
    private static final List<String> DEFINITIONS = List.of("definitions", "$defs");
    /** The argument a non-object input is wrapped in. */
    public static final String WRAPPED = "input";

    private ToolDefinitions() {
    }

    /** The definition of an action in a format. */
    public static ObjectNode of(RunnableAction action, Format format) {
        return switch (format) {
        case MCP -> mcp(action);
        case OPENAI -> openai(action);
        case ANTHROPIC -> anthropic(action);
        };
    }

    /** The MCP tool, as {@code tools/list} gives it (ADR 0034). */
    static ObjectNode mcp(RunnableAction action) {
        ObjectNode tool = Json.mapper().createObjectNode();
        tool.put("name", ToolNames.of(action.key()));
        tool.put("title", action.key());
        tool.put("description", action.intent());
        JsonNode input = action.parsed().inputSchema();
        tool.set("inputSchema", input != null && input.isObject() ? input : emptyObjectSchema());
        JsonNode output = action.parsed().outputSchema();
        if (objectSchema(output)) {
            tool.set("outputSchema", output);
        }
        tool.set("annotations", ToolHints.of(action));
        return tool;
    }

    static ObjectNode openai(RunnableAction action) {
        ObjectNode tool = Json.mapper().createObjectNode();
        tool.put("type", "function");
        ObjectNode function = tool.putObject("function");
        function.put("name", ToolNames.portable(action.key()));
        function.put("description", action.intent());
        function.set("parameters", parameters(action.parsed().inputSchema()));
        // strict mode needs every property required and additionalProperties false: not what actions declare
        function.put("strict", false);
        return tool;
    }

    static ObjectNode anthropic(RunnableAction action) {
        ObjectNode tool = Json.mapper().createObjectNode();
        tool.put("name", ToolNames.portable(action.key()));
        tool.put("description", action.intent());
        tool.set("input_schema", parameters(action.parsed().inputSchema()));
        return tool;
    }

    /**
     * An input schema as a top-level object schema, which both APIs require: an object schema as it is without
     * {@code $schema}/{@code $id}; one without {@code type} but with {@code properties} gets {@code type: object} (tool
     * arguments are always an object); none (or a boolean schema) an empty object schema; anything else (a string, an
     * array, top-level combinators) is wrapped as the required property {@code input}, its definitions moved to the
     * root so its references resolve.
     */
    static ObjectNode parameters(JsonNode input) {
        if (input == null || !input.isObject()) {
            ObjectNode empty = emptyObjectSchema();
            empty.putObject("properties");
            return empty;
        }
        ObjectNode schema = ((ObjectNode) input).deepCopy();
        schema.remove(DOCUMENT_KEYWORDS);
        boolean refused = TOP_LEVEL_REFUSED.stream().anyMatch(schema::has);
        if (!refused && objectSchema(schema)) {
            return schema;
        }
        if (!refused && !schema.has("type") && schema.has("properties")) {
            ObjectNode typed = emptyObjectSchema();
            typed.setAll(schema);
            return typed;
        }
        ObjectNode wrapper = emptyObjectSchema();
        for (String keyword : DEFINITIONS) {
            JsonNode definitions = schema.remove(keyword);
            if (definitions != null) {
                wrapper.set(keyword, definitions);
            }
        }
        wrapper.putObject("properties").set(WRAPPED, schema);
        wrapper.putArray("required").add(WRAPPED);
        return wrapper;
    }

    static boolean objectSchema(JsonNode schema) {
        return schema != null && schema.isObject() && "object".equals(schema.path("type").asText(null));
    }

    static ObjectNode emptyObjectSchema() {
        ObjectNode schema = Json.mapper().createObjectNode();
        schema.put("type", "object");
        return schema;
    }
}

package dev.runwire.api.mcp;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.runwire.model.json.Json;

/**
 * The three tools a large scope is offered as (ADR 0034): search the scope's tools, describe one, call one. Clients cap
 * the tools they take (Cursor 40, Windsurf 50, VS Code 128), so a catalog above the configured size is reached through
 * these instead of being cut off. Their names start with {@code runwire_} and are checked before the scope's own.
 */
final class MetaTools {

    static final String SEARCH = "runwire_search_tools";
    static final String DESCRIBE = "runwire_describe_tool";
    static final String CALL = "runwire_call_tool";
    static final List<String> NAMES = List.of(SEARCH, DESCRIBE, CALL);
    static final int MAX_RESULTS = 50;
    static final int MAX_QUERY = 200;

    private MetaTools() {
    }

    static ArrayNode definitions() {
        ArrayNode tools = Json.mapper().createArrayNode();
        ObjectNode search = tools.addObject();
        search.put("name", SEARCH);
        search.put("title", "Search tools");
        search.put("description", "Find the tools of this server whose name or description contains every word of "
                + "the query; answers their names and descriptions. Then describe one, or call it.");
        ObjectNode searchInput = objectSchema(search.putObject("inputSchema"), List.of("query"));
        searchInput.with("properties").putObject("query").put("type", "string").put("minLength", 1)
                .put("maxLength", MAX_QUERY).put("description", "words to look for, e.g. 'invoice create'");
        searchInput.with("properties").putObject("limit").put("type", "integer").put("minimum", 1)
                .put("maximum", MAX_RESULTS).put("description", "most tools to answer (default 10)");
        search.set("annotations", readOnly());

        ObjectNode describe = tools.addObject();
        describe.put("name", DESCRIBE);
        describe.put("title", "Describe a tool");
        describe.put("description", "The full definition of one tool of this server: its input schema (the "
                + "arguments to call it with), its output schema and its annotations.");
        objectSchema(describe.putObject("inputSchema"), List.of("name")).with("properties").putObject("name")
                .put("type", "string").put("description", "the tool's name, as the search answered it");
        describe.set("annotations", readOnly());

        ObjectNode call = tools.addObject();
        call.put("name", CALL);
        call.put("title", "Call a tool");
        call.put("description", "Call one tool of this server with its arguments (as its input schema says); "
                + "answers the tool's own result.");
        ObjectNode callInput = objectSchema(call.putObject("inputSchema"), List.of("name"));
        callInput.with("properties").putObject("name").put("type", "string");
        callInput.with("properties").putObject("arguments").put("type", "object");
        call.set("annotations", ToolHints.safeDefaults());
        return tools;
    }

    private static ObjectNode objectSchema(ObjectNode schema, List<String> required) {
        schema.put("type", "object");
        schema.putObject("properties");
        required.forEach(schema.putArray("required")::add);
        return schema;
    }

    /** Searching and describing read this server's catalog only. */
    private static ObjectNode readOnly() {
        ObjectNode hints = Json.mapper().createObjectNode();
        hints.put("readOnlyHint", true);
        hints.put("destructiveHint", false);
        hints.put("idempotentHint", true);
        hints.put("openWorldHint", false);
        return hints;
    }
}

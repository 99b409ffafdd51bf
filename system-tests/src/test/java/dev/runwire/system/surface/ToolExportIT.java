package dev.runwire.system.surface;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.runwire.model.json.Json;
import dev.runwire.model.schema.CompiledSchema;
import dev.runwire.model.schema.SchemaCompiler;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Tool definitions for direct use (ADR 0037): {@code GET /v1/tools} and {@code GET /v1/mcp-servers/{id}/tools} in the
 * OpenAI, Anthropic and MCP formats, against the catalog the MCP server's {@code tools/list} gives (read by the
 * official SDK's client and raw). Names within OpenAI's and Anthropic's rule and unique, every schema a top-level
 * object schema that compiles; a bad format, another owner's server and a missing key refused.
 */
class ToolExportIT {

    static final Pattern PORTABLE = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");
    static final String DOTTED = "crm.contact.get";
    static final String LONG_DOTTED = "crm.search." + "x".repeat(70);

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stub;
    @NewOwner(actions = { "alpha" })
    static Owner owner;
    @NewOwner
    static Owner other;

    /** A server on the whole integration (every runnable action: 6, at the shared api's meta-tool threshold). */
    static JsonPath all;
    /** A server on two actions. */
    static JsonPath scoped;
    static JsonPath foreign;

    @BeforeAll
    static void setUp() {
        Map<String, Object> withMeta = new HashMap<>(Map.of("type", "object", "properties",
                Map.of("contactId", Map.of("type", "string")), "required", List.of("contactId")));
        withMeta.put("$schema", "http://json-schema.org/draft-07/schema#");
        withMeta.put("$id", "https://example.test/contact.json");
        register(DOTTED, withMeta);
        // a key that the dotted one would become if dots were only replaced
        register("crm_contact_get", Map.of("type", "object", "properties", Map.of("q", Map.of("type", "string"))));
        register(LONG_DOTTED, null);
        register("no_input", null);
        register("string_input", Map.of("type", "string", "maxLength", 20));
        register("retired", Map.of("type", "object"));
        as(api, owner.apiKey()).delete("/v1/actions/retired").then().statusCode(200);
        all = create(owner, Map.of("userId", "user-a", "integrationKeys", List.of("stub")));
        scoped = create(owner, Map.of("userId", "user-s", "actionKeys", List.of("alpha", DOTTED)));
        integration(api, other.apiKey(), "stub", stub.baseUrl());
        action(api, other.apiKey(), "alpha", "stub", "/alpha", 20_000);
        foreign = create(other, Map.of("userId", "user-o", "integrationKeys", List.of("stub")));
    }

    static void register(String key, Object inputSchema) {
        Map<String, Object> body = new HashMap<>(Map.of("key", key, "intent", "Do " + key, "type", "http", "http",
                Map.of("integrationKey", "stub", "method", "GET", "path", "/alpha/x"), "useDefaultMapping", true));
        if (inputSchema != null) {
            body.put("inputSchema", inputSchema);
        }
        as(api, owner.apiKey()).body(body).post("/v1/actions").then().statusCode(201);
    }

    static JsonPath create(Owner who, Map<String, Object> body) {
        return as(api, who.apiKey()).body(body).post("/v1/mcp-servers").then().statusCode(201).extract().jsonPath();
    }

    static JsonNode export(String path, String format) {
        var request = as(api, owner.apiKey());
        if (format != null) {
            request = request.queryParam("format", format);
        }
        return Json.tree(request.get(path).then().statusCode(200).contentType(ContentType.JSON).extract().asString());
    }

    static String serverTools(JsonPath server) {
        return "/v1/mcp-servers/" + server.getString("id") + "/tools";
    }

    /** Every tool of {@code tools/list}, raw, over its pages (the shared api lists 3 a page). */
    static List<JsonNode> toolsList(JsonPath server) {
        List<JsonNode> tools = new ArrayList<>();
        String cursor = null;
        do {
            String params = cursor == null ? "{}" : "{\"cursor\":\"" + cursor + "\"}";
            JsonNode answer = Json.tree(given().baseUri(api.url()).contentType(ContentType.JSON)
                    .accept("application/json, text/event-stream")
                    .header("Authorization", "Bearer " + server.getString("token"))
                    .header("MCP-Protocol-Version", "2025-06-18")
                    .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":" + params + "}")
                    .post("/mcp/" + server.getString("id")).then().statusCode(200).extract().asString());
            answer.path("result").path("tools").forEach(tools::add);
            cursor = answer.path("result").path("nextCursor").asText(null);
        } while (cursor != null);
        return tools;
    }

    /** The names the official SDK's client lists. */
    static List<String> sdkNames(JsonPath server) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(api.url())
                .endpoint("/mcp/" + server.getString("id"))
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + server.getString("token")))
                .build();
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build()) {
            client.initialize();
            return client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
        }
    }

    static List<String> names(JsonNode tools, String format) {
        List<String> names = new ArrayList<>();
        tools.forEach(tool -> names.add(
                format.equals("openai") ? tool.path("function").path("name").asText() : tool.path("name").asText()));
        return names;
    }

    /** Names within OpenAI's and Anthropic's rule, unique; schemas top-level objects that compile as JSON Schema. */
    static void portable(JsonNode tools, String format) {
        List<String> names = names(tools, format);
        assertEquals(names.size(), new HashSet<>(names).size(), "unique: " + names);
        SchemaCompiler compiler = new SchemaCompiler();
        for (JsonNode tool : tools) {
            JsonNode schema;
            if (format.equals("openai")) {
                assertEquals("function", tool.path("type").asText());
                assertEquals(false, tool.path("function").path("strict").asBoolean(true));
                assertFalse(tool.path("function").path("description").asText().isEmpty());
                schema = tool.path("function").path("parameters");
            } else {
                assertFalse(tool.path("description").asText().isEmpty());
                schema = tool.path("input_schema");
            }
            String name = format.equals("openai") ? tool.path("function").path("name").asText()
                    : tool.path("name").asText();
            assertTrue(PORTABLE.matcher(name).matches(), name);
            assertTrue(schema.isObject(), name + ": " + schema);
            assertEquals("object", schema.path("type").asText(), name + ": " + schema);
            assertFalse(schema.has("$schema") || schema.has("$id"), name + ": " + schema);
            for (String refused : List.of("oneOf", "anyOf", "allOf", "not", "enum")) {
                assertFalse(schema.has(refused), name + ": " + schema);
            }
            compiler.compile(schema); // throws when it is no usable JSON Schema
        }
    }

    @Test
    void theOwnersCatalogInEachFormatHasTheMcpServersNames() {
        List<JsonNode> listed = toolsList(all);
        List<String> mcpNames = listed.stream().map(tool -> tool.path("name").asText()).toList();
        // the inactive action is no tool; the catalog is in key order (code points)
        assertEquals(6, mcpNames.size(), mcpNames.toString());
        assertEquals(List.of("alpha", DOTTED), mcpNames.subList(0, 2));
        assertTrue(mcpNames.get(2).startsWith(LONG_DOTTED.substring(0, 51) + "_"), mcpNames.get(2));
        assertEquals(List.of("crm_contact_get", "no_input", "string_input"), mcpNames.subList(3, 6));
        assertEquals(mcpNames, sdkNames(all));
        assertFalse(mcpNames.contains("retired"));

        JsonNode mcp = export("/v1/tools", "mcp");
        assertEquals(Json.tree(Json.write(listed)), mcp, "the MCP format is tools/list's tools");
        assertEquals(mcp, export(serverTools(all), "mcp"));

        JsonNode openai = export("/v1/tools", "openai");
        JsonNode anthropic = export("/v1/tools", "anthropic");
        portable(openai, "openai");
        portable(anthropic, "anthropic");
        assertEquals(openai, export("/v1/tools", null), "openai is the default");
        assertEquals(names(openai, "openai"), names(anthropic, "anthropic"));
        assertEquals(openai, export(serverTools(all), "OpenAI"));

        // the same tools in the same order; a name without a dot is the MCP name, a dotted one is mapped apart
        List<String> portableNames = names(openai, "openai");
        assertEquals(mcpNames.size(), portableNames.size());
        for (int i = 0; i < mcpNames.size(); i++) {
            String mcpName = mcpNames.get(i);
            if (mcpName.contains(".") && mcpName.matches(".{51}_[0-9a-f]{8}")) {
                // a long key's MCP name already ends in its hash: only the dots change
                assertEquals(mcpName.replace('.', '_'), portableNames.get(i));
            } else if (mcpName.contains(".")) {
                assertNotEquals(mcpName.replace('.', '_'), portableNames.get(i));
                assertTrue(portableNames.get(i).startsWith(mcpName.replace('.', '_').substring(0, 15)),
                        portableNames.get(i));
            } else {
                assertEquals(mcpName, portableNames.get(i));
            }
        }
        assertTrue(portableNames.contains("crm_contact_get"));

        Map<String, JsonNode> parameters = new HashMap<>();
        anthropic.forEach(tool -> parameters.put(tool.path("name").asText(), tool.path("input_schema")));
        openai.forEach(tool -> assertEquals(parameters.get(tool.path("function").path("name").asText()),
                tool.path("function").path("parameters")));
        // $schema and $id dropped, the rest kept
        JsonNode contact = anthropic.get(mcpNames.indexOf(DOTTED)).path("input_schema");
        assertEquals(Json.tree("{\"type\":\"object\",\"properties\":{\"contactId\":{\"type\":\"string\"}},"
                + "\"required\":[\"contactId\"]}"), contact);
        // no input schema: an empty object schema
        assertEquals(Json.tree("{\"type\":\"object\",\"properties\":{}}"), parameters.get("no_input"));
        // a string input: wrapped as the required property input, which validates as the action's schema did
        JsonNode wrapped = parameters.get("string_input");
        assertEquals(Json.tree("{\"type\":\"object\",\"properties\":{\"input\":{\"type\":\"string\",\"maxLength\":20}},"
                + "\"required\":[\"input\"]}"), wrapped);
        CompiledSchema compiled = new SchemaCompiler().compile(wrapped);
        assertTrue(compiled.isValid(Json.tree("{\"input\":\"short\"}")));
        assertFalse(compiled.isValid(Json.tree("{\"input\":\"" + "y".repeat(21) + "\"}")));
        assertFalse(compiled.isValid(Json.tree("{}")));
    }

    @Test
    void aServersToolsAreItsScope() {
        List<JsonNode> listed = toolsList(scoped);
        assertEquals(List.of("alpha", DOTTED), listed.stream().map(tool -> tool.path("name").asText()).toList());
        assertEquals(Json.tree(Json.write(listed)), export(serverTools(scoped), "mcp"));
        JsonNode openai = export(serverTools(scoped), "openai");
        JsonNode anthropic = export(serverTools(scoped), "anthropic");
        portable(openai, "openai");
        portable(anthropic, "anthropic");
        assertEquals(2, openai.size());
        assertEquals("alpha", openai.get(0).path("function").path("name").asText());
        assertTrue(openai.get(1).path("function").path("name").asText().matches("crm_contact_get_[0-9a-f]{8}"));
        assertEquals(names(openai, "openai"), names(anthropic, "anthropic"));
        // the same dotted key has the same name in the owner's catalog
        assertTrue(names(export("/v1/tools", "openai"), "openai")
                .contains(openai.get(1).path("function").path("name").asText()));
    }

    @Test
    void badFormatsOtherOwnersServersAndMissingKeysAreRefused() {
        for (String path : List.of("/v1/tools", serverTools(scoped))) {
            as(api, owner.apiKey()).queryParam("format", "gemini").get(path).then().statusCode(400)
                    .body("errors[0].source.parameter", equalTo("format"));
            as(api, owner.apiKey()).queryParam("format", "open ai").get(path).then().statusCode(400)
                    .body("errors[0].source.parameter", equalTo("format"));
            given().baseUri(api.url()).get(path).then().statusCode(401).body("errors[0].status", equalTo(401));
            // an MCP server's token is no API key
            given().baseUri(api.url()).header("Authorization", "Bearer " + scoped.getString("token")).get(path).then()
                    .statusCode(401);
        }
        as(api, owner.apiKey()).get(serverTools(foreign)).then().statusCode(404).body("errors[0].status", equalTo(404));
        as(api, other.apiKey()).get(serverTools(scoped)).then().statusCode(404);
        as(api, owner.apiKey()).get("/v1/mcp-servers/" + UUID.randomUUID() + "/tools").then().statusCode(404);
        as(api, owner.apiKey()).get("/v1/mcp-servers/not-an-id/tools").then().statusCode(404);
        // the other owner sees its own catalog only
        JsonNode theirs = Json.tree(as(api, other.apiKey()).queryParam("format", "openai").get("/v1/tools").then()
                .statusCode(200).extract().asString());
        assertEquals(List.of("alpha"), names(theirs, "openai"));
    }
}

package dev.runwire.system.surface;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.query;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Runwire as an MCP server (ADR 0034), driven by the official MCP Java SDK's client over Streamable HTTP: version
 * negotiation, a scoped catalog over pages (the shared api-service lists 3 tools a page), calls that run the action as
 * the server's user through the real executor and stub integration, failures as tool errors, scopes and tenants kept
 * apart, and protocol mistakes answered with JSON-RPC errors that write nothing. Then the {@code /v1/mcp-servers}
 * resource's bad input and cross-tenant cases.
 */
class McpIT {

    static final String LONG_KEY = "lookup_" + "x".repeat(70);

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stub;
    @NewOwner(actions = { "alpha", "bravo", "charlie", "delta", "echo", "outside", "broken" })
    static Owner owner;
    @NewOwner
    static Owner other;

    /** The scoped server: five actions of the owner's seven, run as user-u. */
    static JsonPath scoped;
    /** The other owner's server, on an integration of its own. */
    static JsonPath foreign;

    @BeforeAll
    static void setUp() {
        for (String name : List.of("alpha", "bravo", "charlie", "delta", "echo", "outside", "long")) {
            stub.on("/" + name + "/", 200, "{\"id\":\"" + name + "\",\"price\":7}", 0);
        }
        stub.on("/broken/", 500, "{\"message\":\"the item store is down\"}", 0);
        action(api, owner.apiKey(), LONG_KEY, "stub", "/long", 20_000);
        scoped = create(owner,
                Map.of("name", "Support agent", "userId", "user-u", "actionKeys",
                        List.of("alpha", "bravo", "charlie", "delta", "broken", LONG_KEY))).then().statusCode(201)
                                .extract().jsonPath();
        integration(api, other.apiKey(), "stub", stub.baseUrl());
        action(api, other.apiKey(), "alpha", "stub", "/alpha", 20_000);
        foreign = create(other, Map.of("userId", "user-o", "integrationKeys", List.of("stub"))).then().statusCode(201)
                .extract().jsonPath();
    }

    @AfterAll
    static void nothingBlocked() {
        ServiceProcess.assertNoThreadBlocked(api);
    }

    static Response create(Owner who, Map<String, Object> body) {
        return as(api, who.apiKey()).body(body).post("/v1/mcp-servers");
    }

    static String path(JsonPath server) {
        return "/mcp/" + server.getString("id");
    }

    /** An SDK client on a server's URL with a bearer credential, offering the given protocol versions. */
    static McpSyncClient client(JsonPath server, String bearer, List<String> versions) {
        String url = server.getString("url");
        String base = url.substring(0, url.indexOf("/mcp/"));
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(api.url())
                .endpoint(path(server)).supportedProtocolVersions(versions)
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + bearer)).build();
        assertTrue(base.startsWith("http"), "the server's url is absolute: " + url);
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build();
    }

    static McpSyncClient client(JsonPath server) {
        return client(server, server.getString("token"), List.of("2025-11-25", "2025-06-18"));
    }

    /** A raw JSON-RPC POST (what a client the SDK would never send). */
    static Response post(String path, String bearer, String version, String body) {
        var request = given().baseUri(api.url()).contentType(ContentType.JSON)
                .accept("application/json, text/event-stream").header("Authorization", "Bearer " + bearer);
        if (version != null) {
            request = request.header("MCP-Protocol-Version", version);
        }
        return request.body(body).post(path);
    }

    @Test
    void createAnswersTheUrlAndATokenShownOnce() throws Exception {
        assertTrue(scoped.getString("token").startsWith("rwmcp_"));
        assertTrue(scoped.getString("url").endsWith("/mcp/" + scoped.getString("id")));
        assertEquals("user-u", scoped.getString("userId"));
        // only the token's hash is stored, and no read shows the token again
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(scoped.getString("token").getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(List.of(hash)),
                query("select token_hash from api.mcp_servers where id = '" + scoped.getString("id") + "'"));
        as(api, owner.apiKey()).get("/v1/mcp-servers/" + scoped.getString("id")).then().statusCode(200)
                .body("name", equalTo("Support agent")).body("token", equalTo(null));
        as(api, owner.apiKey()).get("/v1/mcp-servers").then().statusCode(200)
                .body("find { it.id == '" + scoped.getString("id") + "' }.token", equalTo(null));
        // the token is no API key
        given().baseUri(api.url()).header("Authorization", "Bearer " + scoped.getString("token")).get("/v1/actions")
                .then().statusCode(401);
    }

    @Test
    void initializeNegotiatesTheClientsVersion() {
        for (String version : List.of("2025-06-18", "2025-11-25")) {
            try (McpSyncClient client = client(scoped, scoped.getString("token"), List.of(version))) {
                McpSchema.InitializeResult result = client.initialize();
                assertEquals(version, result.protocolVersion());
                assertEquals("runwire", result.serverInfo().name());
                assertNotNull(result.capabilities().tools());
                client.ping();
            }
        }
        // a version the server does not speak: it answers its newest; without MCP-Protocol-Version, 2025-03-26 holds
        post(path(scoped), scoped.getString("token"), null,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2024-01-01\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}").then()
                                .statusCode(200).body("id", equalTo(1))
                                .body("result.protocolVersion", equalTo("2025-11-25"));
        post(path(scoped), scoped.getString("token"), null,
                "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-03-26\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}").then()
                                .statusCode(200).body("result.protocolVersion", equalTo("2025-03-26"))
                                .header("Mcp-Session-Id", equalTo(null));
        post(path(scoped), scoped.getString("token"), "2025-06-18",
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").then().statusCode(202);
    }

    @Test
    void listsTheScopeOnPagesInAStableOrder() {
        try (McpSyncClient client = client(scoped)) {
            client.initialize();
            List<McpSchema.Tool> tools = new ArrayList<>();
            List<Integer> pages = new ArrayList<>();
            McpSchema.ListToolsResult page = client.listTools(McpSchema.FIRST_PAGE);
            while (true) {
                tools.addAll(page.tools());
                pages.add(page.tools().size());
                if (page.nextCursor() == null) {
                    break;
                }
                page = client.listTools(page.nextCursor());
            }
            assertEquals(List.of(3, 3), pages);
            List<String> names = tools.stream().map(McpSchema.Tool::name).toList();
            String longName = LONG_KEY.substring(0, 51) + "_";
            assertEquals(List.of("alpha", "bravo", "broken", "charlie", "delta"), names.subList(0, 5));
            assertTrue(names.get(5).startsWith(longName) && names.get(5).length() == 60, names.get(5));
            assertTrue(names.stream().allMatch(n -> n.length() <= 60 && n.matches("[A-Za-z0-9_.-]+")));
            // the same names, in the same order, from the SDK's own walk over the pages
            assertEquals(names, client.listTools().tools().stream().map(McpSchema.Tool::name).toList());

            McpSchema.Tool alpha = tools.get(0);
            assertEquals("Get an item", alpha.description());
            assertEquals("object", alpha.inputSchema().get("type"));
            assertEquals(List.of("id"), alpha.inputSchema().get("required"));
            assertEquals(List.of("id", "price"), alpha.outputSchema().get("required"));
            // the annotations are the action's declaration: the test's actions are reads (sideEffects none)
            assertEquals(Boolean.TRUE, alpha.annotations().readOnlyHint());
            assertEquals(Boolean.FALSE, alpha.annotations().destructiveHint());
            assertEquals(Boolean.TRUE, alpha.annotations().idempotentHint());
            assertEquals(Boolean.TRUE, alpha.annotations().openWorldHint());
        }
        // a server scoped by integration lists every action on it
        try (McpSyncClient client = client(foreign)) {
            client.initialize();
            assertEquals(List.of("alpha"), client.listTools().tools().stream().map(McpSchema.Tool::name).toList());
        }
    }

    @Test
    void aCallRunsTheActionAsTheServersUser() {
        try (McpSyncClient client = client(scoped)) {
            client.initialize();
            McpSchema.CallToolResult result = client
                    .callTool(new McpSchema.CallToolRequest("alpha", Map.of("id", "mcp-1", "trace", "t-mcp")));
            assertFalse(Boolean.TRUE.equals(result.isError()), String.valueOf(result));
            assertEquals(Map.of("id", "alpha", "price", 7), result.structuredContent());
            String text = ((McpSchema.TextContent) result.content().get(0)).text();
            assertTrue(text.contains("\"price\":7"), text);
            // the integration got the call, with the input mapped as for every surface
            Stub.Received call = stub.receivedUnder("/alpha/mcp-1").get(0);
            assertEquals("t-mcp", call.header("X-Trace"));

            // a tool whose name was shortened is called by that name
            String longName = client.listTools().tools().get(5).name();
            McpSchema.CallToolResult longResult = client
                    .callTool(new McpSchema.CallToolRequest(longName, Map.of("id", "mcp-long")));
            assertEquals(Map.of("id", "long", "price", 7), longResult.structuredContent());
        }
        // the run is a Runwire run of the server's user
        as(api, owner.apiKey()).get("/v1/runs?userId=user-u&pageSize=100").then().statusCode(200)
                .body("findAll { it.actionKey == 'alpha' }.size()", equalTo(1))
                .body("find { it.actionKey == 'alpha' }.status", equalTo("SUCCESS"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aLargeScopeIsReachedThroughThreeTools() {
        // eight actions on the integration, above the shared api-service's threshold of six
        JsonPath large = create(owner, Map.of("userId", "user-l", "integrationKeys", List.of("stub"))).then()
                .statusCode(201).extract().jsonPath();
        try (McpSyncClient client = client(large)) {
            client.initialize();
            assertEquals(List.of("runwire_search_tools", "runwire_describe_tool", "runwire_call_tool"),
                    client.listTools().tools().stream().map(McpSchema.Tool::name).toList());

            McpSchema.CallToolResult found = client
                    .callTool(new McpSchema.CallToolRequest("runwire_search_tools", Map.of("query", "ITEM ech")));
            assertEquals(List.of(Map.of("name", "echo", "description", "Get an item")),
                    ((Map<String, Object>) found.structuredContent()).get("tools"));

            McpSchema.CallToolResult described = client
                    .callTool(new McpSchema.CallToolRequest("runwire_describe_tool", Map.of("name", "echo")));
            Map<String, Object> definition = (Map<String, Object>) described.structuredContent();
            assertEquals(List.of("id"), ((Map<String, Object>) definition.get("inputSchema")).get("required"));

            McpSchema.CallToolResult called = client.callTool(new McpSchema.CallToolRequest("runwire_call_tool",
                    Map.of("name", "echo", "arguments", Map.of("id", "meta-1"))));
            assertEquals(Boolean.FALSE, called.isError(), String.valueOf(called));
            assertEquals(Map.of("id", "echo", "price", 7), called.structuredContent());
            assertEquals(1, stub.receivedUnder("/echo/meta-1").size());

            McpSchema.CallToolResult invalid = client.callTool(new McpSchema.CallToolRequest("runwire_call_tool",
                    Map.of("name", "echo", "arguments", Map.of("id", 1))));
            assertEquals(Boolean.TRUE, invalid.isError());
            String text = ((McpSchema.TextContent) invalid.content().get(0)).text();
            assertTrue(text.contains("/params/arguments/arguments/id"), text);
            assertEquals(Boolean.TRUE,
                    client.callTool(
                            new McpSchema.CallToolRequest("runwire_describe_tool", Map.of("name", "not_in_scope")))
                            .isError());
        }
        as(api, owner.apiKey()).get("/v1/runs?userId=user-l&pageSize=100").then().statusCode(200).body("actionKey",
                equalTo(List.of("echo")));
    }

    @Test
    void anOwnersApiKeyReachesItsServer() {
        try (McpSyncClient client = client(scoped, owner.apiKey(), List.of("2025-11-25"))) {
            client.initialize();
            McpSchema.CallToolResult result = client
                    .callTool(new McpSchema.CallToolRequest("bravo", Map.of("id", "by-key")));
            assertEquals(Map.of("id", "bravo", "price", 7), result.structuredContent());
        }
        as(api, owner.apiKey()).get("/v1/runs?userId=user-u&pageSize=100").then().statusCode(200)
                .body("findAll { it.actionKey == 'bravo' }.size()", equalTo(1));
    }

    @Test
    void failuresOfTheActionAndOfItsInputAreToolErrors() throws Exception {
        try (McpSyncClient client = client(scoped)) {
            client.initialize();
            McpSchema.CallToolResult failed = client
                    .callTool(new McpSchema.CallToolRequest("broken", Map.of("id", "b-1")));
            assertEquals(Boolean.TRUE, failed.isError());
            String text = ((McpSchema.TextContent) failed.content().get(0)).text();
            assertTrue(text.contains("\"status\":\"FAILED\"") && text.contains("\"integrationStatus\":500"), text);
            assertEquals(1, stub.receivedUnder("/broken/b-1").size());

            long runs = runCount(owner.id());
            McpSchema.CallToolResult invalid = client
                    .callTool(new McpSchema.CallToolRequest("charlie", Map.of("id", 5)));
            assertEquals(Boolean.TRUE, invalid.isError());
            String detail = ((McpSchema.TextContent) invalid.content().get(0)).text();
            assertTrue(detail.contains("input_invalid") && detail.contains("/params/arguments/id"), detail);
            assertEquals(runs, runCount(owner.id()));
            assertTrue(stub.receivedUnder("/charlie/").isEmpty());
        }
    }

    @Test
    void aServerNeverReachesOutsideItsScope() throws Exception {
        long runs = runCount(owner.id());
        try (McpSyncClient client = client(scoped)) {
            client.initialize();
            assertFalse(client.listTools().tools().stream()
                    .anyMatch(t -> t.name().equals("outside") || t.name().equals("echo")));
            McpError unknown = assertThrows(McpError.class,
                    () -> client.callTool(new McpSchema.CallToolRequest("outside", Map.of("id", "o-1"))));
            assertEquals(-32602, unknown.getJsonRpcError().code());
        }
        assertEquals(runs, runCount(owner.id()));
        assertTrue(stub.receivedUnder("/outside/").isEmpty());
        // the owner's other user never appears: every run of this owner through MCP is user-u's
        assertEquals(List.of(), query("select user_id from api.runs where owner_id = '" + owner.id()
                + "' and action_key in ('alpha', 'bravo', 'broken', 'charlie') and user_id <> 'user-u'"));
    }

    @Test
    void otherTenantsAndOtherTokensAreRefused() throws Exception {
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
        // another owner's API key: there is no such server for it
        post(path(scoped), other.apiKey(), "2025-06-18", ping).then().statusCode(404).body("jsonrpc", equalTo("2.0"))
                .body("error.code", equalTo(-32600));
        // another server's token, unknown tokens, no credential: 401
        post(path(scoped), foreign.getString("token"), "2025-06-18", ping).then().statusCode(401).body("error.code",
                equalTo(-32600));
        post(path(foreign), scoped.getString("token"), "2025-06-18", ping).then().statusCode(401);
        post(path(scoped), "rwmcp_not-a-token", "2025-06-18", ping).then().statusCode(401);
        given().baseUri(api.url()).contentType(ContentType.JSON).body(ping).post(path(scoped)).then().statusCode(401)
                .body("error.message", startsWith("a valid"));
        // an unknown server id with the owner's key
        post("/mcp/00000000-0000-4000-8000-000000000000", owner.apiKey(), "2025-06-18", ping).then().statusCode(404);
        post("/mcp/not-a-uuid", owner.apiKey(), "2025-06-18", ping).then().statusCode(404);
        // the SDK client with the wrong token cannot even initialize
        try (McpSyncClient client = client(scoped, foreign.getString("token"), List.of("2025-11-25"))) {
            assertThrows(RuntimeException.class, client::initialize);
        }
        // another owner's server id through /v1/mcp-servers: 404, nothing changed
        as(api, other.apiKey()).get("/v1/mcp-servers/" + scoped.getString("id")).then().statusCode(404);
        as(api, other.apiKey()).delete("/v1/mcp-servers/" + scoped.getString("id")).then().statusCode(404);
        as(api, owner.apiKey()).get("/v1/mcp-servers/" + scoped.getString("id")).then().statusCode(200);
        as(api, other.apiKey()).get("/v1/mcp-servers").then().statusCode(200).body("id",
                equalTo(List.of(foreign.getString("id"))));
    }

    @Test
    void protocolMistakesGetJsonRpcErrorsAndWriteNothing() throws Exception {
        String token = scoped.getString("token");
        String path = path(scoped);
        long runs = runCount(owner.id());
        post(path, token, "2025-06-18", "{\"jsonrpc\":\"2.0\",\"id\":1,").then().statusCode(400)
                .body("error.code", equalTo(-32700)).body("id", equalTo(null));
        post(path, token, "2025-06-18", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/read\"}").then()
                .statusCode(200).body("id", equalTo(2)).body("error.code", equalTo(-32601));
        post(path, token, "2025-06-18", "{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"ping\"}").then().statusCode(400)
                .body("error.code", equalTo(-32600));
        post(path, token, "2025-06-18",
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":" + "{\"name\":5}}").then()
                        .statusCode(200).body("error.code", equalTo(-32602));
        post(path, token, "2025-06-18",
                "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":"
                        + "{\"name\":\"alpha\",\"arguments\":[1]}}").then().statusCode(200).body("error.code",
                                equalTo(-32602));
        post(path, token, "2025-06-18",
                "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/list\",\"params\":" + "{\"cursor\":\"not-ours\"}}")
                        .then().statusCode(200).body("error.code", equalTo(-32602));
        post(path, token, "2025-06-18", "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":[]}").then()
                .statusCode(200).body("error.code", equalTo(-32602));
        // an unsupported MCP-Protocol-Version header
        post(path, token, "1999-01-01", "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"}").then().statusCode(400)
                .body("error.code", equalTo(-32600));

        // batches: only in 2025-03-26, bounded; a huge one is refused whole, before any call
        String call = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"delta\","
                + "\"arguments\":{\"id\":\"batch-%d\"}}}";
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add(String.format(call, i, i));
        }
        post(path, token, "2025-03-26", "[" + String.join(",", many) + "]").then().statusCode(400).body("error.code",
                equalTo(-32600));
        post(path, token, "2025-06-18", "[" + String.format(call, 1, 1) + "]").then().statusCode(400).body("error.code",
                equalTo(-32600));
        post(path, token, "2025-03-26", "[]").then().statusCode(400).body("error.code", equalTo(-32600));
        assertEquals(runs, runCount(owner.id()));
        assertTrue(stub.receivedUnder("/delta/").isEmpty());
        // a small batch of 2025-03-26 is answered entry by entry; its notification gets no entry
        post(path, token, "2025-03-26",
                "[{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"},"
                        + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
                        + "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"nope\"}]").then().statusCode(200)
                                .body("size()", equalTo(2)).body("[0].id", equalTo("p"))
                                .body("[1].error.code", equalTo(-32601));

        // no stream of its own; DELETE ends only a session it issued
        given().baseUri(api.url()).header("Authorization", "Bearer " + token).accept("text/event-stream").get(path)
                .then().statusCode(405).header("Allow", equalTo("POST, DELETE"));
        given().baseUri(api.url()).header("Authorization", "Bearer " + token).body("x").contentType("text/plain")
                .post(path).then().statusCode(415).body("jsonrpc", equalTo("2.0"));
        assertEquals(runs, runCount(owner.id()));
    }

    @Test
    void badServerDefinitionsAreRefusedWithPointersAndWriteNothing() throws Exception {
        String count = "select count(*) from api.mcp_servers where owner_id = '" + owner.id() + "'";
        Object before = query(count).get(0).get(0);
        create(owner, Map.of("actionKeys", List.of("alpha"))).then().statusCode(422).body("errors[0].source.pointer",
                equalTo("/userId"));
        create(owner, Map.of("userId", "u", "actionKeys", List.of("alpha", "no_such_action"))).then().statusCode(422)
                .body("errors[0].code", equalTo("unknown_action"))
                .body("errors[0].source.pointer", equalTo("/actionKeys/1"));
        create(owner, Map.of("userId", "u", "integrationKeys", List.of("nope"))).then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/integrationKeys/0"));
        create(owner, Map.of("userId", "u")).then().statusCode(422).body("errors[0].code", equalTo("empty_scope"));
        create(owner, Map.of("userId", "u", "actionKeys", List.of(""))).then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/actionKeys/0"));
        create(owner, Map.of("userId", "u", "name", " ", "actionKeys", List.of("alpha"))).then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/name"));
        // another owner's action keys are unknown here
        create(other, Map.of("userId", "u", "actionKeys", List.of("bravo"))).then().statusCode(422);
        as(api, owner.apiKey()).body("{\"userId\":").post("/v1/mcp-servers").then().statusCode(400);
        assertEquals(before, query(count).get(0).get(0));
    }

    @Test
    void aDeletedServerStopsAnsweringAtOnce() {
        JsonPath server = create(owner, Map.of("userId", "user-d", "actionKeys", List.of("echo"))).then()
                .statusCode(201).extract().jsonPath();
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
        post(path(server), server.getString("token"), "2025-11-25", ping).then().statusCode(200).body("result",
                equalTo(Map.of()));
        as(api, owner.apiKey()).delete("/v1/mcp-servers/" + server.getString("id")).then().statusCode(200).body("id",
                equalTo(server.getString("id")));
        post(path(server), server.getString("token"), "2025-11-25", ping).then().statusCode(401);
        post(path(server), owner.apiKey(), "2025-11-25", ping).then().statusCode(404);
        as(api, owner.apiKey()).get("/v1/mcp-servers/" + server.getString("id")).then().statusCode(404);
    }
}

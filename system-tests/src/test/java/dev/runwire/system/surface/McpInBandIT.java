package dev.runwire.system.surface;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.query;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.restassured.path.json.JsonPath;

import dev.runwire.system.support.McpRaw;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * What an MCP call asks of its client while it runs (ADR 0034, "In-band"), driven by the official MCP Java SDK's
 * client: progress notifications from the run's events in an SSE answer; an approval the owner's policy requires, asked
 * through form elicitation (approve, deny, approve an edited input) or answered with its links to a client without the
 * capability; a missing connection asked through URL elicitation, then the call working once connected; a streamed call
 * cancelled mid-run. Then by hand: bad answers to an elicitation, answers through another session, server or owner, and
 * sessions that are unknown or ended — each changing nothing.
 */
class McpInBandIT {

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stub;
    @NewOwner
    static Owner owner;
    @NewOwner
    static Owner other;

    static JsonPath server;
    /** A server of the same scope for the elicitation test alone, whose rows it counts. */
    static JsonPath elicitServer;
    static JsonPath foreign;

    @BeforeAll
    static void setUp() {
        stub.on("/slow/", 200, "{\"id\":\"slow\",\"price\":3}", 400);
        stub.on("/long/", 200, "{\"id\":\"long\",\"price\":3}", 20_000);
        stub.on("/charge/", 200, "{\"id\":\"charged\",\"price\":9}", 0);
        stub.on("/secure/", 200, "{\"id\":\"secure\",\"price\":1}", 0);
        SystemUnderTest.integration(api, owner.apiKey(), "stub", stub.baseUrl());
        as(api, owner.apiKey()).body(Map.of("key", "bearer_api", "name", "bearer_api", "baseUrl", stub.baseUrl(),
                "auth", Map.of("type", "bearer"))).post("/v1/integrations").then().statusCode(201);
        action(api, owner.apiKey(), "slow_read", "stub", "/slow", 10_000);
        action(api, owner.apiKey(), "long_read", "stub", "/long", 30_000);
        action(api, owner.apiKey(), "secure_read", "bearer_api", "/secure", 10_000);
        // no sideEffects declared: destructive by default, so the owner's policy asks approval for every call
        as(api, owner.apiKey())
                .body(Map.of("key", "charge", "intent", "Charge a card", "inputSchema",
                        Map.of("type", "object", "properties", Map.of("id", Map.of("type", "string")), "required",
                                List.of("id")),
                        "outputSchema", Map.of("type", "object"), "useDefaultMapping", true, "type", "http", "http",
                        Map.of("integrationKey", "stub", "method", "GET", "path", "/charge/{id}"), "timeoutMs", 10_000))
                .post("/v1/actions").then().statusCode(201);
        io.restassured.RestAssured.given().baseUri(api.url()).contentType("application/json")
                .header("Authorization", "Bearer " + SystemUnderTest.ADMIN_TOKEN)
                .body(Map.of("approvalForDestructive", "always"))
                .put("/admin/owners/" + owner.id() + "/approval-policy").then().statusCode(200);
        server = as(api, owner.apiKey())
                .body(Map.of("userId", "user-m", "actionKeys",
                        List.of("slow_read", "long_read", "secure_read", "charge")))
                .post("/v1/mcp-servers").then().statusCode(201).extract().jsonPath();
        elicitServer = as(api, owner.apiKey()).body(Map.of("userId", "user-m", "actionKeys", List.of("charge")))
                .post("/v1/mcp-servers").then().statusCode(201).extract().jsonPath();
        SystemUnderTest.integration(api, other.apiKey(), "stub", stub.baseUrl());
        action(api, other.apiKey(), "slow_read", "stub", "/slow", 10_000);
        foreign = as(api, other.apiKey()).body(Map.of("userId", "user-o", "actionKeys", List.of("slow_read")))
                .post("/v1/mcp-servers").then().statusCode(201).extract().jsonPath();
    }

    @AfterAll
    static void nothingBlocked() {
        ServiceProcess.assertNoThreadBlocked(api);
    }

    static McpClient.SyncSpec spec(JsonPath server) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(api.url())
                .endpoint("/mcp/" + server.getString("id"))
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + server.getString("token")))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30));
    }

    static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    static String url() {
        return api.url() + "/mcp/" + server.getString("id");
    }

    @Test
    void progressComesFromTheRunsEventsBeforeItsResult() {
        List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = spec(server).progressConsumer(progress::add).build()) {
            client.initialize();
            McpSchema.CallToolResult result = client.callTool(McpSchema.CallToolRequest.builder().name("slow_read")
                    .arguments(Map.of("id", "p-1")).progressToken("tok-1").build());
            assertEquals(Boolean.FALSE, result.isError(), String.valueOf(result));
            assertEquals(Map.of("id", "slow", "price", 3), result.structuredContent());
            // step started (0.5 of 1), step succeeded (1 of 1), both sent before the result (the client hands
            // notifications to its consumers on its own threads)
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> progress.size() >= 2);
            assertEquals(List.of(0.5, 1.0), progress.stream().map(McpSchema.ProgressNotification::progress).toList());
            assertTrue(progress.stream().allMatch(p -> "tok-1".equals(p.progressToken()) && p.total() == 1.0));
            assertTrue(progress.get(1).message().contains("succeeded"), progress.get(1).message());
        }
        // the same call without a progress token (and no elicitation declared) is one JSON answer, as before
        McpRaw.Answer plain = McpRaw.post(url(), server.getString("token"), null,
                McpRaw.json(Map.of("jsonrpc", "2.0", "id", 5, "method", "tools/call", "params",
                        Map.of("name", "slow_read", "arguments", Map.of("id", "p-2")))));
        assertEquals(200, plain.status());
        assertTrue(plain.contentType().startsWith("application/json"), plain.contentType());
        assertEquals(3, plain.json().path("result").path("structuredContent").path("price").asInt());
        // with a token, by hand: events, the response last
        McpRaw.Stream stream = McpRaw.stream(url(), server.getString("token"), null, McpRaw.json(Map.of("jsonrpc",
                "2.0", "id", "s-1", "method", "tools/call", "params",
                Map.of("name", "slow_read", "arguments", Map.of("id", "p-3"), "_meta", Map.of("progressToken", 42)))));
        List<JsonNode> messages = stream.untilResponse("s-1", Duration.ofSeconds(20));
        assertTrue(stream.contentType().startsWith("text/event-stream"), stream.contentType());
        assertEquals(List.of("notifications/progress", "notifications/progress"),
                messages.subList(0, 2).stream().map(m -> m.path("method").asText()).toList());
        assertEquals(42, messages.get(0).path("params").path("progressToken").asInt());
        assertEquals(3, messages.get(2).path("result").path("structuredContent").path("price").asInt());
    }

    @Test
    void anApprovalIsAskedThroughElicitation() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        McpSchema.ClientCapabilities elicits = McpSchema.ClientCapabilities.builder().elicitation().build();
        try (McpSyncClient client = spec(elicitServer).capabilities(elicits).elicitation(request -> {
            asked.add(request.message());
            String message = request.message();
            if (message.contains("deny-")) {
                return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.DECLINE, null);
            }
            if (message.contains("edit-")) {
                return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT,
                        Map.of("editedInput", "{\"id\":\"edited-1\"}"));
            }
            if (message.contains("bad-")) {
                return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT,
                        Map.of("editedInput", "{\"id\":5}"));
            }
            assertTrue(request.requestedSchema().toString().contains("editedInput"));
            return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of());
        }).build()) {
            client.initialize();
            // approve: the exact input is shown, the action runs once
            McpSchema.CallToolResult approved = client
                    .callTool(new McpSchema.CallToolRequest("charge", Map.of("id", "ok-1")));
            assertEquals(Boolean.FALSE, approved.isError(), String.valueOf(approved));
            assertEquals(Map.of("id", "charged", "price", 9), approved.structuredContent());
            assertTrue(asked.get(0).contains("{\"id\":\"ok-1\"}") && asked.get(0).contains("user-m"), asked.get(0));
            assertEquals(1, stub.receivedUnder("/charge/ok-1").size());

            // deny: the run fails approval_denied, the action is never called
            McpSchema.CallToolResult denied = client
                    .callTool(new McpSchema.CallToolRequest("charge", Map.of("id", "deny-1")));
            assertEquals(Boolean.TRUE, denied.isError());
            assertTrue(text(denied).contains("approval_denied"), text(denied));
            assertTrue(stub.receivedUnder("/charge/deny-1").isEmpty());

            // approve with an edited input: the edited input is what the integration gets
            McpSchema.CallToolResult edited = client
                    .callTool(new McpSchema.CallToolRequest("charge", Map.of("id", "edit-1")));
            assertEquals(Boolean.FALSE, edited.isError(), String.valueOf(edited));
            assertEquals(1, stub.receivedUnder("/charge/edited-1").size());
            assertTrue(stub.receivedUnder("/charge/edit-1").isEmpty());

            // an edited input the schema refuses decides nothing: the call answers with the approval's links
            McpSchema.CallToolResult refused = client
                    .callTool(new McpSchema.CallToolRequest("charge", Map.of("id", "bad-1")));
            assertEquals(Boolean.TRUE, refused.isError());
            String refusal = text(refused);
            assertTrue(refusal.contains("approval_pending") && refusal.contains("edited input was refused"), refusal);
            String runId = JsonPath.from(refusal).getString("runId");
            as(api, owner.apiKey()).get("/v1/runs/" + runId).then().statusCode(200).body("status",
                    org.hamcrest.Matchers.equalTo("PAUSED"));
            assertTrue(stub.receivedUnder("/charge/").stream().noneMatch(r -> r.path().contains("bad-1")));
            // the link still decides it
            approveByLink(JsonPath.from(refusal).getString("approve"));
            awaitStatus(runId, "SUCCESS");
            assertEquals(1, stub.receivedUnder("/charge/bad-1").size());
            // each elicitation moved once from open
            assertEquals(List.of(List.of("approved"), List.of("approved"), List.of("denied"), List.of("refused")),
                    query("select state from api.mcp_elicitations where server_id = '" + elicitServer.getString("id")
                            + "' order by state"));
        }
    }

    @Test
    void withoutTheCapabilityTheCallAnswersTheApprovalsLinks() {
        try (McpSyncClient client = spec(server).build()) {
            client.initialize();
            McpSchema.CallToolResult pending = client
                    .callTool(new McpSchema.CallToolRequest("charge", Map.of("id", "link-1")));
            assertEquals(Boolean.TRUE, pending.isError());
            JsonPath detail = JsonPath.from(text(pending));
            assertEquals("approval_pending", detail.getString("code"));
            assertEquals("PAUSED", detail.getString("status"));
            assertTrue(detail.getString("approve").contains("/v1/runs/approval?token="), text(pending));
            assertNotNull(detail.getString("deny"));
            assertTrue(stub.receivedUnder("/charge/link-1").isEmpty());
            approveByLink(detail.getString("approve"));
            awaitStatus(detail.getString("runId"), "SUCCESS");
            assertEquals(1, stub.receivedUnder("/charge/link-1").size());
        }
    }

    @Test
    void aMissingConnectionIsAskedThroughUrlElicitationThenTheCallWorks() {
        List<McpSchema.ElicitUrlRequest> asked = new CopyOnWriteArrayList<>();
        McpSchema.ClientCapabilities elicits = McpSchema.ClientCapabilities.builder().elicitation(true, true).build();
        try (McpSyncClient client = spec(server).capabilities(elicits)
                .elicitation(request -> new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.DECLINE, null))
                .urlElicitation(request -> {
                    asked.add(request);
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, null);
                }).build()) {
            client.initialize();
            // still listed
            assertTrue(client.listTools().tools().stream().anyMatch(t -> t.name().equals("secure_read")));
            McpSchema.CallToolResult missing = client
                    .callTool(new McpSchema.CallToolRequest("secure_read", Map.of("id", "c-1")));
            assertEquals(Boolean.TRUE, missing.isError());
            assertTrue(text(missing).contains("connection_required"), text(missing));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !asked.isEmpty());
            assertEquals("url", asked.get(0).mode());
            assertTrue(asked.get(0).url().endsWith("/v1/connected-accounts?integrationKey=bearer_api&userId=user-m"),
                    asked.get(0).url());
            assertTrue(asked.get(0).url().startsWith("http"), asked.get(0).url());
            assertTrue(stub.receivedUnder("/secure/").isEmpty());

            as(api, owner.apiKey()).body(Map.of("integrationKey", "bearer_api", "userId", "user-m", "credentials",
                    Map.of("token", "tok-user-m"))).post("/v1/connected-accounts").then().statusCode(201);
            McpSchema.CallToolResult connected = client
                    .callTool(new McpSchema.CallToolRequest("secure_read", Map.of("id", "c-2")));
            assertEquals(Boolean.FALSE, connected.isError(), String.valueOf(connected));
            assertEquals("Bearer tok-user-m", stub.receivedUnder("/secure/c-2").get(0).header("Authorization"));
        }
    }

    @Test
    void aStreamedCallIsStillCancelled() {
        String token = server.getString("token");
        McpRaw.Stream stream = McpRaw.stream(url(), token, null,
                McpRaw.json(Map.of("jsonrpc", "2.0", "id", "cx-1", "method", "tools/call", "params", Map.of("name",
                        "long_read", "arguments", Map.of("id", "cx-1"), "_meta", Map.of("progressToken", "cx")))));
        JsonNode started = stream.next(Duration.ofSeconds(20));
        assertEquals("notifications/progress", started.path("method").asText());
        assertEquals(
                202, McpRaw
                        .post(url(), token, null, McpRaw.json(Map.of("jsonrpc", "2.0", "method",
                                "notifications/cancelled", "params", Map.of("requestId", "cx-1", "reason", "test"))))
                        .status());
        List<JsonNode> rest = stream.untilResponse("cx-1", Duration.ofSeconds(15));
        JsonNode response = rest.get(rest.size() - 1);
        assertTrue(response.path("result").path("isError").asBoolean());
        assertTrue(response.toString().contains("CANCELED"), response.toString());
    }

    @Test
    void badOrForeignAnswersToAnElicitationChangeNothing() throws Exception {
        String token = server.getString("token");
        Map<String, Object> elicitation = Map.of("elicitation", Map.of());
        String session = McpRaw.initialize(url(), token, elicitation);
        String otherSession = McpRaw.initialize(url(), token, elicitation);
        String foreignUrl = api.url() + "/mcp/" + foreign.getString("id");
        String foreignSession = McpRaw.initialize(foreignUrl, foreign.getString("token"), elicitation);

        McpRaw.Stream stream = McpRaw.stream(url(), token, session, McpRaw.json(Map.of("jsonrpc", "2.0", "id", 9,
                "method", "tools/call", "params", Map.of("name", "charge", "arguments", Map.of("id", "x-1")))));
        JsonNode request = stream.next(Duration.ofSeconds(20));
        assertEquals("elicitation/create", request.path("method").asText());
        String asked = request.path("id").asText();
        String runId = (String) query("select run_id::text from api.mcp_elicitations where id = '" + asked + "'").get(0)
                .get(0);
        long runs = runCount(owner.id());

        // not an answer: 400
        assertEquals(400,
                McpRaw.post(url(), token, session,
                        McpRaw.json(Map.of("jsonrpc", "2.0", "id", asked, "result", Map.of("action", "maybe"))))
                        .status());
        assertEquals(400, McpRaw.post(url(), token, session, McpRaw.json(
                Map.of("jsonrpc", "2.0", "id", asked, "result", Map.of("action", "accept", "content", List.of(1)))))
                .status());
        // another session of the same server, the other owner's server and session, no session: ignored
        Map<String, Object> accept = Map.of("jsonrpc", "2.0", "id", asked, "result",
                Map.of("action", "accept", "content", Map.of()));
        assertEquals(202, McpRaw.post(url(), token, otherSession, McpRaw.json(accept)).status());
        assertEquals(202,
                McpRaw.post(foreignUrl, foreign.getString("token"), foreignSession, McpRaw.json(accept)).status());
        assertEquals(202, McpRaw.post(url(), token, null, McpRaw.json(accept)).status());
        // the other owner's session on this server, or the other owner's token: no such session, no such server
        assertEquals(404, McpRaw.post(url(), token, foreignSession, McpRaw.json(accept)).status());
        assertEquals(404, McpRaw.post(url(), token, "not-a-session", McpRaw.json(accept)).status());
        assertEquals(404, McpRaw.post(url(), other.apiKey(), session, McpRaw.json(accept)).status());
        assertEquals(List.of(List.of("open")),
                query("select state from api.mcp_elicitations where id = '" + asked + "'"));
        assertEquals(List.of(List.of("PAUSED")), query("select status from api.runs where id = '" + runId + "'"));
        assertEquals(runs, runCount(owner.id()));
        assertTrue(stub.receivedUnder("/charge/x-1").isEmpty());

        // the right session declines: the run is denied and the call ends
        assertEquals(
                202, McpRaw
                        .post(url(), token, session,
                                McpRaw.json(
                                        Map.of("jsonrpc", "2.0", "id", asked, "result", Map.of("action", "decline"))))
                        .status());
        List<JsonNode> rest = stream.untilResponse(9, Duration.ofSeconds(20));
        assertTrue(rest.get(rest.size() - 1).toString().contains("approval_denied"), rest.toString());

        // a session ends with DELETE; then it is unknown (404), as is another owner's
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        HttpRequest delete = HttpRequest.newBuilder(URI.create(url())).header("Authorization", "Bearer " + token)
                .header("Mcp-Session-Id", otherSession).DELETE().build();
        assertEquals(204, http.send(delete, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(404, http.send(delete, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(404,
                http.send(
                        HttpRequest.newBuilder(URI.create(url())).header("Authorization", "Bearer " + token)
                                .header("Mcp-Session-Id", foreignSession).DELETE().build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(404,
                McpRaw.post(url(), token, otherSession, McpRaw.json(Map.of("jsonrpc", "2.0", "id", 3, "method",
                        "tools/call", "params", Map.of("name", "slow_read", "arguments", Map.of("id", "z")))))
                        .status());
        assertEquals(1, query("select 1 from api.mcp_sessions where id = '" + foreignSession + "'").size());
    }

    @Test
    void aServersOwnApprovalPolicyAddsToTheOwners() throws Exception {
        // the other owner has no policy of its own; its actions: a read and a destructive one
        as(api, other.apiKey())
                .body(Map.of("key", "charge_o", "intent", "Charge a card", "inputSchema",
                        Map.of("type", "object", "properties", Map.of("id", Map.of("type", "string"))),
                        "useDefaultMapping", true, "type", "http", "http",
                        Map.of("integrationKey", "stub", "method", "GET", "path", "/charge/{id}"), "timeoutMs", 10_000))
                .post("/v1/actions").then().statusCode(201);
        JsonPath plain = as(api, other.apiKey())
                .body(Map.of("userId", "user-o", "actionKeys", List.of("slow_read", "charge_o")))
                .post("/v1/mcp-servers").then().statusCode(201).body("approval", org.hamcrest.Matchers.equalTo("owner"))
                .extract().jsonPath();
        JsonPath destructive = as(api, other.apiKey()).body(
                Map.of("userId", "user-o", "actionKeys", List.of("slow_read", "charge_o"), "approval", "destructive"))
                .post("/v1/mcp-servers").then().statusCode(201).extract().jsonPath();
        JsonPath always = as(api, other.apiKey())
                .body(Map.of("userId", "user-o", "actionKeys", List.of("slow_read"), "approval", "always"))
                .post("/v1/mcp-servers").then().statusCode(201).extract().jsonPath();
        as(api, other.apiKey()).get("/v1/mcp-servers/" + always.getString("id")).then().statusCode(200).body("approval",
                org.hamcrest.Matchers.equalTo("always"));

        try (McpSyncClient client = spec(plain).build()) {
            client.initialize();
            assertEquals(Boolean.FALSE,
                    client.callTool(new McpSchema.CallToolRequest("charge_o", Map.of("id", "po-1"))).isError());
        }
        try (McpSyncClient client = spec(destructive).build()) {
            client.initialize();
            assertEquals(Boolean.FALSE,
                    client.callTool(new McpSchema.CallToolRequest("slow_read", Map.of("id", "pd-1"))).isError());
            McpSchema.CallToolResult pending = client
                    .callTool(new McpSchema.CallToolRequest("charge_o", Map.of("id", "pd-2")));
            assertTrue(text(pending).contains("approval_pending"), text(pending));
            assertTrue(stub.receivedUnder("/charge/pd-2").isEmpty());
        }
        try (McpSyncClient client = spec(always).build()) {
            client.initialize();
            McpSchema.CallToolResult pending = client
                    .callTool(new McpSchema.CallToolRequest("slow_read", Map.of("id", "pa-1")));
            assertTrue(text(pending).contains("approval_pending"), text(pending));
            assertTrue(stub.receivedUnder("/slow/pa-1").isEmpty());
        }

        // a policy that is none: 422 at its pointer, nothing written
        long servers = (Long) query("select count(*) from api.mcp_servers where owner_id = '" + other.id() + "'").get(0)
                .get(0);
        as(api, other.apiKey())
                .body(Map.of("userId", "user-o", "actionKeys", List.of("slow_read"), "approval", "sometimes"))
                .post("/v1/mcp-servers").then().statusCode(422)
                .body("errors[0].source.pointer", org.hamcrest.Matchers.equalTo("/approval"));
        as(api, other.apiKey())
                .body(Map.of("userId", "user-o", "actionKeys", List.of("slow_read"), "approval", List.of("always")))
                .post("/v1/mcp-servers").then().statusCode(org.hamcrest.Matchers.oneOf(400, 422));
        assertEquals(servers,
                query("select count(*) from api.mcp_servers where owner_id = '" + other.id() + "'").get(0).get(0));
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyFollowsTheFirstRun() throws Exception {
        String token = server.getString("token");
        long runs = runCount(owner.id());
        McpRaw.Answer first = McpRaw.post(url(), token, null, keyedCall("i-1", "slow_read", "k-1", "k-1"));
        McpRaw.Answer second = McpRaw.post(url(), token, null, keyedCall("i-2", "slow_read", "k-1", "k-1"));
        for (McpRaw.Answer answer : List.of(first, second)) {
            assertEquals(200, answer.status());
            assertEquals(3, answer.json().path("result").path("structuredContent").path("price").asInt(),
                    answer.body());
        }
        assertEquals(runs + 1, runCount(owner.id()));
        assertEquals(1, stub.receivedUnder("/slow/k-1").size());

        // the key with other arguments: a tool error, no run
        McpRaw.Answer reused = McpRaw.post(url(), token, null, keyedCall("i-3", "slow_read", "k-1", "k-other"));
        assertTrue(reused.json().path("result").path("isError").asBoolean(), reused.body());
        assertTrue(reused.body().contains("idempotency_key_reused"), reused.body());
        // a key that is no string, or too long: invalid params, no run
        assertEquals(-32602, McpRaw
                .post(url(), token, null,
                        McpRaw.json(Map.of("jsonrpc", "2.0", "id", "i-4", "method", "tools/call", "params",
                                Map.of("name", "slow_read", "arguments", Map.of("id", "k-4"), "_meta",
                                        Map.of("dev.runwire/idempotencyKey", 5)))))
                .json().path("error").path("code").asInt());
        assertEquals(-32602, McpRaw.post(url(), token, null, keyedCall("i-5", "slow_read", "k".repeat(256), "k-5"))
                .json().path("error").path("code").asInt());
        assertEquals(runs + 1, runCount(owner.id()));

        // a call waiting for approval, retried: the same run, still waiting, not a second one
        String pending = McpRaw.post(url(), token, null, keyedCall("i-6", "charge", "k-2", "k-2")).body();
        String again = McpRaw.post(url(), token, null, keyedCall("i-7", "charge", "k-2", "k-2")).body();
        assertTrue(pending.contains("approval_pending") && again.contains("approval_pending"), again);
        String runId = JsonPath.from(JsonPath.from(pending).getString("result.content[0].text")).getString("runId");
        assertEquals(runId, JsonPath.from(JsonPath.from(again).getString("result.content[0].text")).getString("runId"));
        assertEquals(runs + 2, runCount(owner.id()));
    }

    static String keyedCall(String id, String tool, String key, String item) {
        return McpRaw.json(Map.of("jsonrpc", "2.0", "id", id, "method", "tools/call", "params", Map.of("name", tool,
                "arguments", Map.of("id", item), "_meta", Map.of("dev.runwire/idempotencyKey", key))));
    }

    static void approveByLink(String link) {
        String token = URLDecoder.decode(link.substring(link.indexOf("token=") + 6), StandardCharsets.UTF_8);
        as(api, owner.apiKey()).queryParam("token", token).get("/v1/runs/approval").then().statusCode(201);
    }

    static void awaitStatus(String runId, String status) {
        Awaitility.await("run " + runId + " " + status).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> status
                        .equals(as(api, owner.apiKey()).get("/v1/runs/" + runId).then().extract().path("status")));
    }
}

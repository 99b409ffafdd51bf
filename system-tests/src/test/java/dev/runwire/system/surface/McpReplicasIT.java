package dev.runwire.system.surface;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.McpRaw;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SharedExecutor;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * An MCP server on two api-service replicas of one database and one set of topics (ADR 0034): a {@code tools/call}
 * waiting on one replica is cancelled by a {@code notifications/cancelled} sent to the other, which aborts its run as
 * {@code DELETE /v1/runs/{id}} does; the waiting call then answers a tool error saying the run was canceled. A cancel
 * through another owner's server, with another id, or with the id's other JSON type changes nothing. Replica A purges
 * the calls' records past their retention.
 */
class McpReplicasIT {

    /** Longer than a test waits for a cancelled call, shorter than the waiting replica's sync wait (10 s). */
    static final long SLOW_MILLIS = 7_000;

    /** Replica B: the shared api-service. */
    @SharedApi
    static ServiceProcess api;
    @SharedExecutor
    static ServiceProcess executor;
    @SharedTopics
    static IsolatedTopics topics;
    /** Replica A, where the calls wait. */
    static ServiceProcess replicaA;
    @NewStub
    static Stub stub;
    @NewOwner
    static Owner owner;
    @NewOwner
    static Owner other;

    static JsonPath server;
    static JsonPath foreign;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void setUp() {
        // the retention outlasts every call of these tests; the purge runs every second
        replicaA = ServiceProcess
                .api("api-mcp-a",
                        topics.apiEnv(
                                Map.of("RUNWIRE_MCP_CALL_RETENTION", "60s", "RUNWIRE_MCP_CALL_PURGE_INTERVAL", "1s")))
                .start();
        integration(api, owner.apiKey(), "stub", stub.baseUrl());
        action(api, owner.apiKey(), "slow", "stub", "/slow", 20_000);
        action(api, owner.apiKey(), "quick", "stub", "/quick", 20_000);
        stub.on("/quick/", 200, "{\"id\":\"q\",\"price\":1}", 0);
        integration(api, other.apiKey(), "stub", stub.baseUrl());
        action(api, other.apiKey(), "slow", "stub", "/slow", 20_000);
        stub.on("/slow/", 200, "{\"id\":\"s\",\"price\":3}", SLOW_MILLIS);
        // destructive by default; the owner's policy asks approval for it (the other actions are reads)
        as(api, owner.apiKey())
                .body(Map.of("key", "charge", "intent", "Charge a card", "inputSchema",
                        Map.of("type", "object", "properties", Map.of("id", Map.of("type", "string"))),
                        "useDefaultMapping", true, "type", "http", "http",
                        Map.of("integrationKey", "stub", "method", "GET", "path", "/quick/{id}"), "timeoutMs", 10_000))
                .post("/v1/actions").then().statusCode(201);
        io.restassured.RestAssured.given().baseUri(api.url()).contentType("application/json")
                .header("Authorization", "Bearer " + dev.runwire.system.support.SystemUnderTest.ADMIN_TOKEN)
                .body(Map.of("approvalForDestructive", "always"))
                .put("/admin/owners/" + owner.id() + "/approval-policy").then().statusCode(200);
        server = as(api, owner.apiKey())
                .body(Map.of("userId", "user-r", "actionKeys", List.of("slow", "quick", "charge")))
                .post("/v1/mcp-servers").then().statusCode(201).extract().jsonPath();
        foreign = as(api, other.apiKey()).body(Map.of("userId", "user-r", "actionKeys", List.of("slow")))
                .post("/v1/mcp-servers").then().statusCode(201).extract().jsonPath();
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        ServiceProcess.assertNoThreadBlocked(replicaA);
        replicaA.stop();
    }

    static HttpRequest post(ServiceProcess replica, JsonPath mcp, String token, String body) {
        return HttpRequest.newBuilder(URI.create(replica.url() + "/mcp/" + mcp.getString("id")))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-11-25").header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** A tools/call of "slow" with this JSON-RPC id (as JSON), sent to replica A; its answer when it comes. */
    static CompletableFuture<HttpResponse<String>> call(String jsonId, String itemId) {
        return call("slow", jsonId, itemId);
    }

    static CompletableFuture<HttpResponse<String>> call(String tool, String jsonId, String itemId) {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + jsonId + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
                + tool + "\",\"arguments\":{\"id\":\"" + itemId + "\"}}}";
        return HTTP.sendAsync(post(replicaA, server, server.getString("token"), body),
                HttpResponse.BodyHandlers.ofString());
    }

    static int cancel(ServiceProcess replica, JsonPath mcp, String token, String jsonId) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + jsonId
                + ",\"reason\":\"the user stopped it\"}}";
        return HTTP.send(post(replica, mcp, token, body), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /**
     * Any replica: the session is opened on B, the call streams from A and asks its approval there, the client's answer
     * reaches B, and the call on A ends with the approved run's output (ADR 0034).
     */
    @Test
    void anApprovalAskedOnOneReplicaIsAnsweredThroughTheOther() {
        String token = server.getString("token");
        String onA = replicaA.url() + "/mcp/" + server.getString("id");
        String onB = api.url() + "/mcp/" + server.getString("id");
        String session = McpRaw.initialize(onB, token, Map.of("elicitation", Map.of()));
        McpRaw.Stream stream = McpRaw.stream(onA, token, session, McpRaw.json(Map.of("jsonrpc", "2.0", "id", "ap-1",
                "method", "tools/call", "params", Map.of("name", "charge", "arguments", Map.of("id", "ap-1")))));
        com.fasterxml.jackson.databind.JsonNode asked = stream.next(Duration.ofSeconds(20));
        assertEquals("elicitation/create", asked.path("method").asText());
        assertEquals(202, McpRaw.post(onB, token, session, McpRaw.json(Map.of("jsonrpc", "2.0", "id",
                asked.path("id").asText(), "result", Map.of("action", "accept", "content", Map.of())))).status());
        List<com.fasterxml.jackson.databind.JsonNode> rest = stream.untilResponse("ap-1", Duration.ofSeconds(20));
        com.fasterxml.jackson.databind.JsonNode response = rest.get(rest.size() - 1);
        assertFalse(response.path("result").path("isError").asBoolean(), response.toString());
        assertEquals("q", response.path("result").path("structuredContent").path("id").asText());
        assertEquals(1, stub.receivedUnder("/quick/ap-1").size());
    }

    /** The run the call with this id started, once its record is written. */
    static String runOf(String jsonId) {
        return Awaitility.await("the call's run is recorded").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    List<List<Object>> rows = query("select run_id::text from api.mcp_calls where server_id = '"
                            + server.getString("id") + "' and request_id = '" + jsonId.replace("'", "''") + "'");
                    return rows.isEmpty() ? null : (String) rows.get(0).get(0);
                }, id -> id != null);
    }

    static JsonPath run(String runId) {
        return as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").then().statusCode(200).extract()
                .jsonPath();
    }

    @Test
    void aCallWaitingOnOneReplicaIsCancelledThroughTheOther() throws Exception {
        String id = "\"cancel-" + System.nanoTime() + "\"";
        double canceledCalls = executor.metric("runwire_executor_calls_canceled_total");
        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<String>> answer = call(id, "c1");
        String runId = runOf(id);
        Awaitility.await("the slow call in flight").atMost(Duration.ofSeconds(20))
                .until(() -> !stub.receivedUnder("/slow/c1").isEmpty());

        assertEquals(202, cancel(api, server, server.getString("token"), id), "a notification is accepted");

        HttpResponse<String> response = answer.get(20, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - sent < Duration.ofMillis(SLOW_MILLIS).toNanos(),
                "the waiting call ended before the integration would have answered");
        assertEquals(200, response.statusCode(), response.body());
        JsonPath result = JsonPath.from(response.body());
        assertEquals(id.replace("\"", ""), result.getString("id"));
        assertTrue(result.getBoolean("result.isError"), response.body());
        String text = result.getString("result.content[0].text");
        assertTrue(text.contains("\"status\":\"CANCELED\"") && text.contains(runId), text);

        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> "CANCELED".equals(run(runId).getString("status")));
        assertEquals(List.of("RUN_STARTED", "STEP_STARTED", "STEP_CANCELED", "RUN_CANCELED"),
                run(runId).getList("events.type"), "the integration's answer was never taken");
        assertTrue(executor.metric("runwire_executor_calls_canceled_total") > canceledCalls,
                "the executor cut the call in flight");
    }

    @Test
    void aCancelOfAnotherOwnerOrAnotherIdChangesNothing() throws Exception {
        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<String>> answer = call("4711", "f1");
        String runId = runOf("4711");
        Awaitility.await("the slow call in flight").atMost(Duration.ofSeconds(20))
                .until(() -> !stub.receivedUnder("/slow/f1").isEmpty());

        // the other owner's server, its token, the same id: its own server has no such call
        assertEquals(202, cancel(api, foreign, foreign.getString("token"), "4711"));
        // the other owner's API key on this owner's server finds no server
        assertEquals(404, cancel(api, server, other.apiKey(), "4711"));
        // the same digits as a string, and an id never sent, are other requests
        assertEquals(202, cancel(api, server, server.getString("token"), "\"4711\""));
        assertEquals(202, cancel(replicaA, server, server.getString("token"), "4712"));
        // a malformed cancellation is ignored as the protocol says
        assertEquals(202, cancel(api, server, server.getString("token"), "{\"not\":\"an id\"}"));

        HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - sent >= Duration.ofMillis(SLOW_MILLIS).toNanos(), "the call ran its course");
        JsonPath result = JsonPath.from(response.body());
        assertFalse(result.getBoolean("result.isError"), response.body());
        assertEquals("s", result.getString("result.structuredContent.id"));
        assertEquals("SUCCESS", run(runId).getString("status"));
        assertFalse(run(runId).getList("events.type").contains("RUN_CANCELED"));
    }

    @Test
    void recordsPastTheirRetentionArePurged() throws Exception {
        String old = "\"old-" + System.nanoTime() + "\"";
        String recent = "\"recent-" + System.nanoTime() + "\"";
        for (String id : List.of(old, recent)) {
            HttpResponse<String> answer = call("quick", id, "p").get(20, TimeUnit.SECONDS);
            assertFalse(JsonPath.from(answer.body()).getBoolean("result.isError"), answer.body());
        }
        String oldRun = runOf(old);
        runOf(recent);
        try (Connection db = SystemUnderTest.db(); Statement statement = db.createStatement()) {
            statement.execute("update api.mcp_calls set created_at = now() - interval '2 minutes' where request_id = '"
                    + old + "'");
        }
        Awaitility.await("purged").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> query("select 1 from api.mcp_calls where request_id = '" + old + "'").isEmpty());
        assertEquals(1, query("select 1 from api.mcp_calls where request_id = '" + recent + "'").size(),
                "a record within its retention stays");
        // its run is untouched, and a cancel of the purged id finds nothing
        assertEquals(202, cancel(api, server, server.getString("token"), old));
        assertEquals("SUCCESS", run(oldRun).getString("status"));
    }
}

package dev.runwire.system.surface;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.query;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.McpRaw;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.RawHttp;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SharedExecutor;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * A tools/call's SSE answer resumed with {@code GET} and {@code Last-Event-ID} (ADR 0034, "Resuming a stream"), on two
 * api-service replicas of one database and one set of topics: a stream dropped after its first progress is resumed on
 * the other replica with the rest exactly once; after the run's end a resume gives the result; another owner's,
 * server's or session's stream and ids that are none of ours are refused and change nothing. A quiet stream gets
 * heartbeats and ends at the stream wait; a run waiting in AUTH_REQUIRED goes on once its user connects; a session id
 * that is not the server's is 404 on every method.
 */
class McpResumeIT {

    /** Replica B: the shared api-service (stream wait 10 m). */
    @SharedApi
    static ServiceProcess api;
    @SharedExecutor
    static ServiceProcess executor;
    @SharedTopics
    static IsolatedTopics topics;
    /** Replica A: a heartbeat every second, a stream answered after 5 s at most. */
    static ServiceProcess replicaA;
    @NewStub
    static Stub stub;
    @NewOwner
    static Owner owner;
    @NewOwner
    static Owner other;

    static JsonPath server;
    /** The same owner's other server. */
    static JsonPath sibling;
    static JsonPath foreign;

    @BeforeAll
    static void setUp() {
        // a few connections are plenty for the calls of these tests
        replicaA = ServiceProcess.api("api-mcp-resume-a", topics.apiEnv(Map.of("RUNWIRE_MCP_HEARTBEAT", "1s",
                "RUNWIRE_MCP_STREAM_WAIT", "5s", "QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE", "6"))).start();
        stub.on("/step/", 200, "{\"id\":\"s\",\"price\":3}", 3_000);
        stub.on("/quiet/", 200, "{\"id\":\"q\",\"price\":4}", 9_000);
        stub.on("/quick/", 200, "{\"id\":\"k\",\"price\":1}", 0);
        stub.on("/legacy/", 200, "{\"id\":\"l\",\"price\":2}", 0);
        integration(api, owner.apiKey(), "stub", stub.baseUrl());
        action(api, owner.apiKey(), "step", "stub", "/step", 20_000);
        action(api, owner.apiKey(), "quiet", "stub", "/quiet", 20_000);
        action(api, owner.apiKey(), "quick", "stub", "/quick", 20_000);
        // an API that says in a 200 that the token expired: the run waits in AUTH_REQUIRED until a reconnection
        as(api, owner.apiKey())
                .body(Map.of("key", "legacy", "name", "Legacy API", "baseUrl", stub.baseUrl(), "auth",
                        Map.of("type", "bearer"), "credentialsInvalid",
                        Map.of("statuses", List.of(401), "bodyPattern", "\"error\"\\s*:\\s*\"token_expired\"")))
                .post("/v1/integrations").then().statusCode(201);
        action(api, owner.apiKey(), "legacy_get", "legacy", "/legacy", 10_000);
        server = as(api, owner.apiKey())
                .body(Map.of("userId", "user-z", "actionKeys", List.of("step", "quiet", "quick", "legacy_get")))
                .post("/v1/mcp-servers").then().statusCode(201).extract().jsonPath();
        sibling = as(api, owner.apiKey()).body(Map.of("userId", "user-z", "actionKeys", List.of("step")))
                .post("/v1/mcp-servers").then().statusCode(201).extract().jsonPath();
        integration(api, other.apiKey(), "stub", stub.baseUrl());
        action(api, other.apiKey(), "step", "stub", "/step", 20_000);
        foreign = as(api, other.apiKey()).body(Map.of("userId", "user-z", "actionKeys", List.of("step")))
                .post("/v1/mcp-servers").then().statusCode(201).extract().jsonPath();
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        ServiceProcess.assertNoThreadBlocked(replicaA);
        ServiceProcess.assertNoThreadBlocked(api);
        replicaA.stop();
    }

    static String on(ServiceProcess replica, JsonPath mcp) {
        return replica.url() + "/mcp/" + mcp.getString("id");
    }

    static String token() {
        return server.getString("token");
    }

    static String call(Object id, String tool, String item, Object progressToken) {
        Map<String, Object> params = new HashMap<>(Map.of("name", tool, "arguments", Map.of("id", item)));
        if (progressToken != null) {
            params.put("_meta", Map.of("progressToken", progressToken));
        }
        return McpRaw.json(Map.of("jsonrpc", "2.0", "id", id, "method", "tools/call", "params", params));
    }

    static String streamOf(String eventId) {
        assertNotNull(eventId, "the event has an id");
        assertTrue(eventId.matches("[0-9a-f-]{36}_[0-9]+"), eventId);
        return eventId.substring(0, 36);
    }

    static long seqOf(String eventId) {
        return Long.parseLong(eventId.substring(37));
    }

    static List<String> methods(List<McpRaw.Event> events) {
        return events.stream().map(e -> e.message().path("method").asText("response")).toList();
    }

    static String status(String runId) {
        return as(api, owner.apiKey()).get("/v1/runs/" + runId).then().extract().path("status");
    }

    @Test
    void aStreamDroppedAfterItsFirstProgressIsResumedOnTheOtherReplicaWithTheRestExactlyOnce() {
        McpRaw.Events dropped = McpRaw.events(on(replicaA, server), token(), null, call("r-1", "step", "x-1", "pt-1"));
        assertEquals(200, dropped.status());
        McpRaw.Event first = dropped.nextMessage(Duration.ofSeconds(20));
        assertEquals("notifications/progress", first.message().path("method").asText(), first.toString());
        assertEquals(0.5, first.message().path("params").path("progress").asDouble());
        String stream = streamOf(first.id());
        // the client's network goes away: no cancellation, the run goes on
        dropped.close();

        McpRaw.Events resumed = McpRaw.resume(on(api, server), token(), null, first.id());
        assertEquals(200, resumed.status());
        List<McpRaw.Event> rest = resumed.untilResponse("r-1", Duration.ofSeconds(20));
        assertEquals(List.of("notifications/progress", "response"), methods(rest), rest.toString());
        assertEquals(1.0, rest.get(0).message().path("params").path("progress").asDouble());
        assertEquals("pt-1", rest.get(0).message().path("params").path("progressToken").asText());
        JsonNode response = rest.get(1).message();
        assertFalse(response.path("result").path("isError").asBoolean(), response.toString());
        assertEquals(3, response.path("result").path("structuredContent").path("price").asInt());
        // ids of the same stream, increasing past the one resumed from
        assertEquals(stream, streamOf(rest.get(0).id()));
        assertEquals(stream, streamOf(rest.get(1).id()));
        assertTrue(seqOf(first.id()) < seqOf(rest.get(0).id()) && seqOf(rest.get(0).id()) < seqOf(rest.get(1).id()));
        assertTrue(resumed.endsWithin(Duration.ofSeconds(5)), "the stream ends with the response");
        assertEquals(1, stub.receivedUnder("/step/x-1").size(), "the action ran once");

        // after the run's end, on the first replica: from the last progress, the result alone, the same
        McpRaw.Events late = McpRaw.resume(on(replicaA, server), token(), null, rest.get(0).id());
        List<McpRaw.Event> end = late.untilResponse("r-1", Duration.ofSeconds(10));
        assertEquals(1, end.size(), end.toString());
        assertEquals(response, end.get(0).message());
        // from the first progress: the rest again, nothing before it
        List<McpRaw.Event> again = McpRaw.resume(on(replicaA, server), token(), null, first.id()).untilResponse("r-1",
                Duration.ofSeconds(10));
        assertEquals(rest.stream().map(McpRaw.Event::message).toList(),
                again.stream().map(McpRaw.Event::message).toList());
        assertEquals(1, stub.receivedUnder("/step/x-1").size(), "a resume runs nothing");
    }

    @Test
    void aStreamDroppedRightAfterItsPrimingEventIsResumedFromIt() {
        McpRaw.Events dropped = McpRaw.events(on(replicaA, server), token(), null, call(7, "step", "x-2", 7));
        // a priming event without data, with the position reached, comes once the run is kept
        List<JsonNode> before = new ArrayList<>();
        McpRaw.Event primer = dropped.next(Duration.ofSeconds(20));
        while (primer.message() != null) {
            before.add(primer.message());
            primer = dropped.next(Duration.ofSeconds(20));
        }
        streamOf(primer.id());
        dropped.close();
        List<McpRaw.Event> rest = McpRaw.resume(on(api, server), token(), null, primer.id()).untilResponse(7,
                Duration.ofSeconds(20));
        List<JsonNode> all = new ArrayList<>(before);
        rest.forEach(event -> all.add(event.message()));
        assertEquals(List.of("notifications/progress", "notifications/progress", "response"),
                all.stream().map(m -> m.path("method").asText("response")).toList(), all.toString());
        assertEquals(List.of(0.5, 1.0),
                all.subList(0, 2).stream().map(m -> m.path("params").path("progress").asDouble()).toList());
        assertEquals(3, all.get(2).path("result").path("structuredContent").path("price").asInt());
    }

    @Test
    void anotherOwnersServersOrSessionsStreamAndIdsThatAreNoneOfOursAreRefusedAndChangeNothing() throws Exception {
        String session = McpRaw.initialize(on(api, server), token(), Map.of("elicitation", Map.of()));
        String otherSession = McpRaw.initialize(on(api, server), token(), Map.of("elicitation", Map.of()));
        McpRaw.Events call = McpRaw.events(on(api, server), token(), session, call("f-1", "quick", "f-1", "pf"));
        List<McpRaw.Event> all = call.untilResponse("f-1", Duration.ofSeconds(20));
        String id = all.get(0).id();
        String stream = streamOf(id);
        long runs = runCount(owner.id());
        long streams = (Long) query("select count(*) from api.mcp_streams").get(0).get(0);
        int quick = stub.receivedUnder("/quick/").size();

        // another owner's credential on this server, another owner's server, the same owner's other server
        assertEquals(404, McpRaw.get(on(api, server), other.apiKey(), session, id).status());
        assertEquals(404, McpRaw.get(on(api, foreign), foreign.getString("token"), null, id).status());
        McpRaw.Answer sib = McpRaw.get(on(replicaA, sibling), sibling.getString("token"), null, id);
        assertEquals(404, sib.status());
        assertFalse(sib.body().contains(stream) || sib.body().contains("f-1"), sib.body());
        // the call's session only: none, another, an unknown or malformed one
        assertEquals(404, McpRaw.get(on(api, server), token(), null, id).status());
        assertEquals(404, McpRaw.get(on(api, server), token(), otherSession, id).status());
        assertEquals(404, McpRaw.get(on(api, server), token(), "2b0c1a4e-0000-4000-8000-000000000000", id).status());
        assertEquals(404, McpRaw.get(on(api, server), token(), "not-a-session", id).status());
        // no credential, a wrong token
        assertEquals(401, McpRaw.get(on(api, server), "rwmcp_wrong", session, id).status());
        // ids that are none of ours: 400 with a JSON-RPC error, never a 500
        for (String bad : List.of("garbage", stream, stream + "_", stream + "_-1", stream + "_1x",
                stream + "_99999999999999999999", "x".repeat(36) + "_1", "_" + id)) {
            McpRaw.Answer answer = McpRaw.get(on(api, server), token(), session, bad);
            assertEquals(400, answer.status(), bad + ": " + answer);
            assertEquals(-32600, answer.json().path("error").path("code").asInt(), answer.body());
        }
        // a CR inside, a CR/LF folding the header onto a second line, 10,000 characters, a NUL
        for (String bad : List.of(id + "\rX", id + "\r\n folded", "x".repeat(10_000), "\u0000" + id)) {
            RawHttp.Reply reply = RawHttp.send(
                    api.port, "GET", "/mcp/" + server.getString("id"), Map.of("Authorization", "Bearer " + token(),
                            "Accept", "text/event-stream", "Mcp-Session-Id", session, "Last-Event-ID", bad),
                    null, false, 10_000);
            assertTrue(reply.status() >= 400 && reply.status() < 500, bad.length() + " chars: " + reply.summary());
        }
        // a GET without Last-Event-ID is still 405: no stream of the server's own
        assertEquals(405,
                java.net.http.HttpClient.newHttpClient()
                        .send(HttpRequest.newBuilder(java.net.URI.create(on(api, server)))
                                .header("Authorization", "Bearer " + token()).GET().build(),
                                java.net.http.HttpResponse.BodyHandlers.discarding())
                        .statusCode());

        assertEquals(runs, runCount(owner.id()));
        assertEquals(streams, (Long) query("select count(*) from api.mcp_streams").get(0).get(0));
        assertEquals(quick, stub.receivedUnder("/quick/").size());
        // the call's own session resumes it
        List<McpRaw.Event> resumed = McpRaw.resume(on(replicaA, server), token(), session, id).untilResponse("f-1",
                Duration.ofSeconds(10));
        assertEquals(all.subList(1, all.size()).stream().map(McpRaw.Event::message).toList(),
                resumed.stream().map(McpRaw.Event::message).toList());
    }

    @Test
    void aQuietStreamGetsHeartbeatsEndsAtTheStreamWaitAndIsResumedToTheEnd() {
        long sent = System.nanoTime();
        McpRaw.Events quiet = McpRaw.events(on(replicaA, server), token(), null, call("h-1", "quiet", "h-1", "ph"));
        List<McpRaw.Event> events = quiet.untilResponse("h-1", Duration.ofSeconds(15));
        long millis = (System.nanoTime() - sent) / 1_000_000;
        assertTrue(millis >= 4_500 && millis < 8_500, "answered at the stream wait (5 s), not after " + millis + " ms");
        assertTrue(quiet.comments() >= 3, "heartbeats on a quiet stream: " + quiet.comments());
        assertTrue(quiet.endsWithin(Duration.ofSeconds(3)), "the stream ends cleanly with the response");
        assertEquals(List.of("notifications/progress", "response"), methods(events), events.toString());
        JsonNode running = events.get(1).message().path("result");
        assertTrue(running.path("isError").asBoolean());
        assertTrue(running.path("content").path(0).path("text").asText().contains("\"status\":\"RUNNING\""),
                running.toString());
        assertEquals(null, events.get(1).id(), "a response the run did not decide has no id to resume from");

        // the run went on: resumed on the other replica from the progress, the rest of it
        List<McpRaw.Event> rest = McpRaw.resume(on(api, server), token(), null, events.get(0).id()).untilResponse("h-1",
                Duration.ofSeconds(20));
        assertEquals(List.of("notifications/progress", "response"), methods(rest), rest.toString());
        assertEquals(4, rest.get(1).message().path("result").path("structuredContent").path("price").asInt());
        assertEquals(1, stub.receivedUnder("/quiet/h-1").size());
    }

    @Test
    void aRunWaitingInAuthRequiredGoesOnOnceTheUserConnects() {
        connect("old-token");
        stub.once("/legacy/a-1", 200, "{\"error\": \"token_expired\", \"id\": \"x\", \"price\": 0}");
        List<McpSchema.ElicitUrlRequest> asked = new CopyOnWriteArrayList<>();
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(api.url())
                .endpoint("/mcp/" + server.getString("id"))
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token())).build();
        McpSchema.ClientCapabilities elicits = McpSchema.ClientCapabilities.builder().elicitation(true, true).build();
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30))
                .capabilities(elicits)
                .elicitation(request -> new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.DECLINE, null))
                .urlElicitation(request -> {
                    asked.add(request);
                    // the user follows the link and connects again; the waiting run goes on by itself
                    connect("new-token");
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, null);
                }).build()) {
            client.initialize();
            McpSchema.CallToolResult result = client
                    .callTool(new McpSchema.CallToolRequest("legacy_get", Map.of("id", "a-1")));
            assertEquals(Boolean.FALSE, result.isError(), String.valueOf(result));
            assertEquals(Map.of("id", "l", "price", 2), result.structuredContent());
        }
        assertEquals(1, asked.size(), asked.toString());
        assertTrue(asked.get(0).url().contains("integrationKey=legacy") && asked.get(0).url().contains("userId=user-z"),
                asked.get(0).url());
        List<Stub.Received> calls = stub.receivedUnder("/legacy/a-1");
        assertEquals(2, calls.size(), "refused once, then run again at that step");
        assertEquals("Bearer old-token", calls.get(0).header("Authorization"));
        assertEquals("Bearer new-token", calls.get(1).header("Authorization"));

        // by hand: the URL elicitation is completed once the account is connected, then the result
        stub.once("/legacy/a-2", 200, "{\"error\": \"token_expired\", \"id\": \"x\", \"price\": 0}");
        String session = McpRaw.initialize(on(replicaA, server), token(),
                Map.of("elicitation", Map.of("form", Map.of(), "url", Map.of())));
        McpRaw.Events stream = McpRaw.events(on(replicaA, server), token(), session,
                call("a-2", "legacy_get", "a-2", null));
        McpRaw.Event elicitation = stream.nextMessage(Duration.ofSeconds(20));
        assertEquals("elicitation/create", elicitation.message().path("method").asText(), elicitation.toString());
        assertEquals("url", elicitation.message().path("params").path("mode").asText());
        String elicitationId = elicitation.message().path("params").path("elicitationId").asText();
        String runId = (String) Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<List<Object>> rows = query(
                    "select run_id::text from api.mcp_streams where id = '" + streamOf(elicitation.id()) + "'");
            return rows.isEmpty() ? null : rows.get(0).get(0);
        }, found -> found != null);
        assertEquals("AUTH_REQUIRED", status(runId));
        connect("newer-token");
        List<McpRaw.Event> rest = stream.untilResponse("a-2", Duration.ofSeconds(20));
        assertEquals(List.of("notifications/elicitation/complete", "response"), methods(rest), rest.toString());
        assertEquals(elicitationId, rest.get(0).message().path("params").path("elicitationId").asText());
        assertFalse(rest.get(1).message().path("result").path("isError").asBoolean(), rest.toString());
        // a streamed answer comes from the broadcast and does not wait for the read model (ADR 0034): read it settled
        Awaitility.await("the run's end stored").atMost(Duration.ofSeconds(10))
                .until(() -> "SUCCESS".equals(status(runId)));
        assertEquals("Bearer newer-token", stub.receivedUnder("/legacy/a-2").get(1).header("Authorization"));
    }

    static void connect(String token) {
        as(api, owner.apiKey())
                .body(Map.of("integrationKey", "legacy", "userId", "user-z", "credentials", Map.of("token", token)))
                .post("/v1/connected-accounts").then().statusCode(201);
    }

    @Test
    void aSessionIdThatIsNotTheServersIs404OnEveryMethod() {
        String session = McpRaw.initialize(on(api, server), token(), Map.of("elicitation", Map.of()));
        String foreignSession = McpRaw.initialize(on(api, foreign), foreign.getString("token"),
                Map.of("elicitation", Map.of()));
        String list = McpRaw.json(Map.of("jsonrpc", "2.0", "id", 1, "method", "tools/list"));
        String ping = McpRaw.json(Map.of("jsonrpc", "2.0", "id", 2, "method", "ping"));
        String initialized = McpRaw.json(Map.of("jsonrpc", "2.0", "method", "notifications/initialized"));
        assertEquals(200, McpRaw.post(on(api, server), token(), session, list).status());
        assertEquals(200, McpRaw.post(on(replicaA, server), token(), session, ping).status());
        assertEquals(202, McpRaw.post(on(api, server), token(), session, initialized).status());
        for (String unknown : List.of(foreignSession, "2b0c1a4e-0000-4000-8000-000000000000", "not-a-session")) {
            for (String message : List.of(list, ping, initialized)) {
                McpRaw.Answer answer = McpRaw.post(on(replicaA, server), token(), unknown, message);
                assertEquals(404, answer.status(), unknown + " " + message + ": " + answer);
                assertEquals(-32600, answer.json().path("error").path("code").asInt());
            }
        }
        // an ended session is unknown too; initialize (which starts one) is not refused for it
        java.net.http.HttpResponse<Void> ended;
        try {
            ended = java.net.http.HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(java.net.URI.create(on(api, server)))
                            .header("Authorization", "Bearer " + token()).header("Mcp-Session-Id", session).DELETE()
                            .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertEquals(204, ended.statusCode());
        assertEquals(404, McpRaw.post(on(api, server), token(), session, list).status());
        assertEquals(
                200, McpRaw
                        .post(on(api, server), token(), session,
                                McpRaw.json(
                                        Map.of("jsonrpc", "2.0", "id", 3, "method", "initialize", "params",
                                                Map.of("protocolVersion", "2025-11-25", "capabilities", Map.of(),
                                                        "clientInfo", Map.of("name", "raw", "version", "1")))))
                        .status());
    }
}

package dev.runwire.system.run;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.hasToString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.restassured.response.Response;

import dev.runwire.model.json.Json;
import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.KafkaRecords;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * The synchronous slice end to end: HTTP → api-service → Kafka → executor-service → integration → Kafka → api-service,
 * with both services running as their own processes and a real HTTP integration.
 */
class ActionRunIT {

    private static final String OK_BODY = "{\"id\":\"7\",\"price\":12.5,\"extra\":true,\"tags\":[\"a\",\"b\"]}";

    @NewStub
    static Stub stub;
    @SharedApi
    static ServiceProcess api;
    @SharedTopics
    static IsolatedTopics topics;
    @NewOwner
    static Owner owner;
    static String key;

    @BeforeAll
    static void setUp() {
        key = owner.apiKey();
        integration(api, key, "stub", stub.baseUrl());
        integration(api, key, "closed", "http://127.0.0.1:" + ServiceProcess.freePort());
        stub.on("/ok/", 200, OK_BODY, 0);
        stub.on("/broken/", 500, "{\"error\":\"boom\"}", 0);
        stub.on("/slow/", 200, "{\"id\":\"7\",\"price\":1}", 3_000);
        stub.on("/invalid/", 200, "{\"id\":7}", 0);
        stub.on("/notjson/", 200, "this is not json", 0);
        stub.on("/late/", 200, "{\"id\":\"7\",\"price\":2}", 3_000);
        stub.on("/orders", 201, "{\"order\":{\"id\":\"o-1\",\"total\":{\"amount\":42}},\"noise\":1}", 0);
        action(api, key, "ok", "stub", "/ok", 2_000);
        action(api, key, "broken", "stub", "/broken", 2_000);
        action(api, key, "slow", "stub", "/slow", 500);
        action(api, key, "invalid", "stub", "/invalid", 2_000);
        action(api, key, "notjson", "stub", "/notjson", 2_000);
        // the api waits 2 s for a synchronous answer; this integration takes 3 s within a 10 s timeout
        action(api, key, "late", "stub", "/late", 10_000);
        action(api, key, "unreachable", "closed", "/x", 2_000);
        as(api, key)
                .body(Map.of("key", "create_order", "intent", "Create an order", "inputSchema",
                        Map.of("type", "object", "properties",
                                Map.of("sku", Map.of("type", "string"), "quantity", Map.of("type", "integer")),
                                "required", List.of("sku", "quantity")),
                        "outputSchema",
                        Map.of("type", "object", "properties",
                                Map.of("orderId", Map.of("type", "string"), "amount", Map.of("type", "number")),
                                "required", List.of("orderId", "amount"), "additionalProperties", false),
                        "useDefaultMapping", false, "outputMapping",
                        Map.of("orderId", "/order/id", "amount", "/order/total/amount"), "type", "http", "http",
                        Map.of("integrationKey", "stub", "method", "POST", "path", "/orders"), "timeoutMs", 2_000))
                .post("/v1/actions").then().statusCode(201).body("key", equalTo("create_order"))
                .body("version", equalTo(1)).body("status", equalTo("active"))
                .body("useDefaultMapping", equalTo(false));
    }

    @Test
    void successReturnsTheIntegrationsOutputAndRecordsOrderedEvents() throws Exception {
        Response response = run("ok", Map.of("id", "7", "q", "hello", "trace", "trace-1"));
        response.then().statusCode(200).body("runId", notNullValue());
        String runId = response.path("runId");
        assertEquals(Json.tree(OK_BODY), Json.tree(response.asString()).get("output"),
                "the output is the integration's JSON body");

        List<Stub.Received> calls = stub.receivedUnder("/ok/7");
        assertEquals(1, calls.size(), "one call for one run");
        Stub.Received call = calls.get(0);
        assertEquals("GET", call.method());
        assertEquals("q=hello", call.query(), "query template resolved from the input");
        assertEquals("trace-1", call.header("X-Trace"), "header template resolved from the input");
        assertNotNull(call.header("Idempotency-Key"), "every integration call carries an Idempotency-Key");
        assertFalse(call.header("Idempotency-Key").isBlank());

        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").then()
                        .statusCode(200).body("status", equalTo("SUCCESS"))
                        .body("events.seq", equalTo(List.of(1, 2, 3, 4))).body("events.type",
                                equalTo(List.of("RUN_STARTED", "STEP_STARTED", "STEP_SUCCEEDED", "RUN_SUCCEEDED"))));
        JsonNode run = Json.tree(as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").asString());
        assertEquals(runId, run.get("runId").asText());
        assertEquals(Json.tree(OK_BODY), run.get("result"), "the run's result is the output");
        for (String field : List.of("repeatKey", "executionPlanId", "intent", "createdAt", "updatedAt")) {
            assertTrue(run.hasNonNull(field), "RunDto field " + field + " in " + run);
        }
        assertTrue(run.path("error").isMissingNode() || run.get("error").isNull(), "no error on success: " + run);
        Set<String> eventIds = new HashSet<>();
        for (JsonNode event : run.get("events")) {
            assertEquals(runId, event.get("runId").asText(), "event of this run: " + event);
            assertTrue(event.hasNonNull("at"), "event time: " + event);
            eventIds.add(event.get("eventId").asText());
            if (event.get("type").asText().startsWith("STEP_")) {
                assertTrue(event.hasNonNull("stepId"), "step events name their step: " + event);
            }
        }
        assertEquals(4, eventIds.size(), "each event has its own id");
        assertEquals(Json.tree(OK_BODY), run.get("events").get(2).get("output"), "the step's output");

        List<List<Object>> row = query(
                "select status, last_seq, error is null from api.runs where id = '" + runId + "'");
        assertEquals(List.of("SUCCESS", 4L, true), row.get(0));
        // on Kafka: the run's start with its step's, then its step's end with its own: two records
        assertEquals(List.of(1, 2, 3, 4), KafkaRecords.eventSeqs(topics.events, runId));
        assertEquals(2, KafkaRecords.eventRecords(topics.events, runId), "a write's events travel in one record");
    }

    @Test
    void aPublishedCommandsOutboxRowIsDeletedLongBeforeTheRelayWouldTakeIt() {
        List<String> runIds = List.of("outbox-1", "outbox-2", "outbox-3").stream()
                .map(id -> run("ok", Map.of("id", id)).then().statusCode(200).extract().<String> path("runId"))
                .toList();
        // the read model's next transaction deletes it (ADR 0002); the relay takes only rows older than 5 s
        Awaitility.await().atMost(Duration.ofSeconds(3))
                .until(() -> (Long) query(
                        "select count(*) from api.outbox where run_id in ('" + String.join("','", runIds) + "')").get(0)
                                .get(0) == 0L);
    }

    @Test
    void eachRunHasItsOwnIdempotencyKey() {
        String first = run("ok", Map.of("id", "idem-1")).then().statusCode(200).extract().path("runId");
        String second = run("ok", Map.of("id", "idem-2")).then().statusCode(200).extract().path("runId");
        assertNotEquals(first, second);
        String firstKey = stub.receivedUnder("/ok/idem-1").get(0).header("Idempotency-Key");
        String secondKey = stub.receivedUnder("/ok/idem-2").get(0).header("Idempotency-Key");
        assertNotNull(firstKey);
        assertNotNull(secondKey);
        assertNotEquals(firstKey, secondKey, "two runs, two keys");
    }

    @Test
    void postSendsTheInputAsBodyAndTheOutputMappingShapesTheOutput() throws Exception {
        Response response = run("create_order", Map.of("sku", "sku-1", "quantity", 3));
        response.then().statusCode(200);
        assertEquals(Json.tree("{\"orderId\":\"o-1\",\"amount\":42}"), Json.tree(response.asString()).get("output"));
        Stub.Received call = stub.receivedUnder("/orders").get(0);
        assertEquals("POST", call.method());
        assertTrue(call.header("Content-Type").startsWith("application/json"), call.header("Content-Type"));
        assertEquals(Json.tree("{\"sku\":\"sku-1\",\"quantity\":3}"), Json.tree(call.body()),
                "the whole input as the JSON body");
        assertNotNull(call.header("Idempotency-Key"));
    }

    @Test
    void integrationErrorFailsTheRun() {
        String runId = failure(run("broken", Map.of("id", "1")), "integration_http_error").then()
                .body("errors[0].meta.integrationStatus", equalTo(500)).extract().path("errors[0].meta.runId");
        assertEquals(1, stub.receivedUnder("/broken/1").size());
        awaitFailed(runId, "integration_http_error");
    }

    @Test
    void timeoutFailsTheRun() {
        String runId = failure(run("slow", Map.of("id", "1")), "integration_timeout").path("errors[0].meta.runId");
        awaitFailed(runId, "integration_timeout");
    }

    @Test
    void refusedConnectionFailsTheRun() {
        String runId = failure(run("unreachable", Map.of("id", "1")), "integration_unreachable")
                .path("errors[0].meta.runId");
        awaitFailed(runId, "integration_unreachable");
    }

    @Test
    void outputViolatingTheSchemaFailsTheRunWithPointers() {
        // {"id":7}: "price" is missing (pointer "" or "/price" depending on the validator) and "id" is no string
        String runId = failure(run("invalid", Map.of("id", "1")), "output_schema_violation").then()
                .body("errors[0].meta.violations.pointer", hasItems("/id"))
                .body("errors[0].meta.violations", hasSize(2)).extract().path("errors[0].meta.runId");
        awaitFailed(runId, "output_schema_violation");
        as(api, key).get("/v1/runs/" + runId).then().body("error.violations.pointer", hasItems("/id")).body("result",
                nullValue());
    }

    @Test
    void aResponseThatIsNotJsonFailsTheRun() {
        String runId = failure(run("notjson", Map.of("id", "1")), "invalid_output").path("errors[0].meta.runId");
        awaitFailed(runId, "invalid_output");
    }

    @Test
    void aRunLongerThanTheWaitAnswers202AndFinishesLater() {
        Response response = run("late", Map.of("id", "1"));
        response.then().statusCode(202).body("runId", notNullValue()).body("status",
                anyOf(equalTo("QUEUED"), equalTo("RUNNING")));
        String runId = response.path("runId");
        assertEquals("/v1/runs/" + runId, response.header("Location"));
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> as(api, key).get(response.header("Location") + "?includeEvents=true").then()
                        .statusCode(200).body("status", equalTo("SUCCESS")).body("result.id", equalTo("7"))
                        .body("result.price", equalTo(2)).body("events.type",
                                equalTo(List.of("RUN_STARTED", "STEP_STARTED", "STEP_SUCCEEDED", "RUN_SUCCEEDED"))));
        assertEquals(1, stub.receivedUnder("/late/1").size(), "the run called its integration once");
    }

    @Test
    void inputViolatingTheSchemaIs422WithAPointerAndStartsNoRun() throws Exception {
        Owner fresh = owner(api);
        integration(api, fresh.apiKey(), "stub", stub.baseUrl());
        action(api, fresh.apiKey(), "checked", "stub", "/checked", 2_000);
        as(api, fresh.apiKey()).body(Map.of("key", "checked", "userId", "u", "input", Map.of("id", 5)))
                .post("/v1/actions/run").then().statusCode(422).body("errors", hasSize(1))
                .body("errors[0].status", hasToString("422")).body("errors[0].source.pointer", equalTo("/input/id"))
                .body("errors[0].detail", not(emptyOrNullString()));
        as(api, fresh.apiKey()).body(Map.of("key", "checked", "userId", "u", "input", Map.of())).post("/v1/actions/run")
                .then().statusCode(422)
                .body("errors[0].source.pointer", anyOf(equalTo("/input"), equalTo("/input/id")));
        as(api, fresh.apiKey()).body(Map.of("key", "no_such_action", "userId", "u", "input", Map.of("id", "1")))
                .post("/v1/actions/run").then().statusCode(404).body("errors[0].status", hasToString("404"));
        assertEquals(0, runCount(fresh.id()), "no run row for a refused request");
        assertTrue(stub.receivedUnder("/checked").isEmpty(), "the integration was not called");
    }

    private static Response run(String action, Map<String, Object> input) {
        return as(api, key).body(Map.of("key", action, "userId", "user-1", "input", input)).post("/v1/actions/run");
    }

    /** Asserts a 502 JSON:API error of the given code that names its run; returns the response. */
    private static Response failure(Response response, String code) {
        response.then().statusCode(502).body("errors", hasSize(1)).body("errors[0].status", hasToString("502"))
                .body("errors[0].code", equalTo(code)).body("errors[0].title", not(emptyOrNullString()))
                .body("errors[0].detail", not(emptyOrNullString())).body("errors[0].meta.runId", notNullValue());
        UUID.fromString(response.path("errors[0].meta.runId"));
        return response;
    }

    private static void awaitFailed(String runId, String code) {
        assertNotNull(runId);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").then()
                        .statusCode(200).body("status", equalTo("FAILED")).body("error.code", equalTo(code))
                        .body("result", nullValue()).body("events.seq", equalTo(List.of(1, 2, 3, 4)))
                        .body("events.type",
                                equalTo(List.of("RUN_STARTED", "STEP_STARTED", "STEP_FAILED", "RUN_FAILED")))
                        .body("events[2].error.code", equalTo(code)));
    }
}

package dev.runwire.system;

import static dev.runwire.system.SystemUnderTest.action;
import static dev.runwire.system.SystemUnderTest.as;
import static dev.runwire.system.SystemUnderTest.integration;
import static dev.runwire.system.SystemUnderTest.newOwner;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.response.Response;

/**
 * The synchronous slice end to end: HTTP → api-service → Kafka → executor-service → integration → Kafka → api-service,
 * with both services running as their own processes.
 */
class ActionRunIT {

    static Stub stub;
    static ServiceProcess api;
    static String key;

    @BeforeAll
    static void setUp() throws Exception {
        stub = new Stub();
        api = SharedSystem.api();
        SharedSystem.executor();
        key = newOwner(api);
        integration(api, key, "stub", stub.baseUrl());
        integration(api, key, "closed", "http://127.0.0.1:" + ServiceProcess.freePort());
        stub.on("/ok/", 200, "{\"id\":\"7\",\"price\":12.5,\"extra\":true}", 0);
        stub.on("/broken/", 500, "{\"error\":\"boom\"}", 0);
        stub.on("/slow/", 200, "{\"id\":\"7\",\"price\":1}", 3_000);
        stub.on("/invalid/", 200, "{\"id\":7}", 0);
        stub.on("/late/", 200, "{\"id\":\"7\",\"price\":2}", 3_000);
        action(api, key, "ok", "stub", "/ok", 2_000);
        action(api, key, "broken", "stub", "/broken", 2_000);
        action(api, key, "slow", "stub", "/slow", 500);
        action(api, key, "invalid", "stub", "/invalid", 2_000);
        action(api, key, "late", "stub", "/late", 10_000);
        action(api, key, "unreachable", "closed", "/x", 2_000);
    }

    @AfterAll
    static void tearDown() {
        stub.close();
    }

    @Test
    void successReturnsTheOutputAndRecordsOrderedEvents() {
        Response response = run("ok", Map.of("id", "7", "q", "hello"));
        response.then().statusCode(200).body("output.id", equalTo("7")).body("output.price", equalTo(12.5f))
                .body("output.extra", equalTo(true));
        String runId = response.path("runId");

        Stub.Received call = stub.receivedUnder("/ok/7").get(0);
        assertEquals("q=hello", call.query());
        assertEquals(runId + ":step-1", call.header("Idempotency-Key"));

        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").then()
                        .statusCode(200).body("status", equalTo("SUCCESS")).body("result.id", equalTo("7"))
                        .body("events.seq", equalTo(List.of(1, 2, 3, 4))).body("events.type",
                                equalTo(List.of("RUN_STARTED", "STEP_STARTED", "STEP_SUCCEEDED", "RUN_SUCCEEDED"))));
    }

    @Test
    void integrationErrorFailsTheRun() {
        String runId = run("broken", Map.of("id", "1")).then().statusCode(502)
                .body("errors[0].code", equalTo("integration_http_error"))
                .body("errors[0].meta.integrationStatus", equalTo(500)).header("Location", startsWith("/v1/runs/"))
                .extract().path("errors[0].meta.runId");
        awaitFailed(runId, "integration_http_error");
    }

    @Test
    void timeoutFailsTheRun() {
        String runId = run("slow", Map.of("id", "1")).then().statusCode(502)
                .body("errors[0].code", equalTo("integration_timeout")).extract().path("errors[0].meta.runId");
        awaitFailed(runId, "integration_timeout");
    }

    @Test
    void refusedConnectionFailsTheRun() {
        String runId = run("unreachable", Map.of("id", "1")).then().statusCode(502)
                .body("errors[0].code", equalTo("integration_unreachable")).extract().path("errors[0].meta.runId");
        awaitFailed(runId, "integration_unreachable");
    }

    @Test
    void outputViolatingTheSchemaFailsTheRunWithPointers() {
        String runId = run("invalid", Map.of("id", "1")).then().statusCode(502)
                .body("errors[0].code", equalTo("output_schema_violation"))
                .body("errors[0].meta.violations.pointer", hasItems("", "/id")).extract().path("errors[0].meta.runId");
        awaitFailed(runId, "output_schema_violation");
    }

    @Test
    void aRunLongerThanTheWaitAnswers202AndFinishesLater() {
        Response response = run("late", Map.of("id", "1"));
        response.then().statusCode(202).body("runId", notNullValue());
        String runId = response.path("runId");
        assertEquals("/v1/runs/" + runId, response.header("Location"));
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> as(api, key).get("/v1/runs/" + runId)
                .then().statusCode(200).body("status", equalTo("SUCCESS")).body("result.price", equalTo(2)));
    }

    @Test
    void anotherOwnerCanNeitherReadNorRunThisOwnersThings() {
        String runId = run("ok", Map.of("id", "9")).then().statusCode(200).extract().path("runId");
        String other = newOwner(api);
        as(api, other).get("/v1/actions/ok").then().statusCode(404);
        as(api, other).get("/v1/actions").then().statusCode(200).body("size()", equalTo(0));
        as(api, other).body(Map.of("key", "ok", "userId", "u", "input", Map.of("id", "9"))).post("/v1/actions/run")
                .then().statusCode(404);
        as(api, other).get("/v1/runs/" + runId).then().statusCode(404);
        as(api, key).get("/v1/runs/" + runId).then().statusCode(200);
    }

    private static Response run(String action, Map<String, Object> input) {
        return as(api, key).body(Map.of("key", action, "userId", "user-1", "input", input)).post("/v1/actions/run");
    }

    private static void awaitFailed(String runId, String code) {
        assertNotNull(runId);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").then().statusCode(200)
                        .body("status", equalTo("FAILED")).body("error.code", equalTo(code)).body("events.type",
                                equalTo(List.of("RUN_STARTED", "STEP_STARTED", "STEP_FAILED", "RUN_FAILED"))));
    }
}

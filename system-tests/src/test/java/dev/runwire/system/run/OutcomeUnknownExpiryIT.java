package dev.runwire.system.run;

import static dev.runwire.system.support.SystemUnderTest.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.Plans;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;

/**
 * A step whose call's outcome is unknown and that nobody resolves fails {@code outcome_unknown} once its wait expires
 * (docs/adr/0035), and can no longer be resolved.
 */
class OutcomeUnknownExpiryIT {

    static ServiceProcess api;
    @NewStub
    static Stub stub;
    @SharedTopics
    static IsolatedTopics topics;

    @BeforeAll
    static void setUp() {
        stub.on("/pay/", 200, "{\"paid\":true}", 3_000);
        // a replica of its own, on the shared topics and database, whose sweep expires unknown outcomes after 3 s
        api = ServiceProcess
                .api("api-outcome-expiry", topics.apiEnv(
                        Map.of("RUNWIRE_RUN_OUTCOME_UNKNOWN_TIMEOUT", "3s", "RUNWIRE_RUN_OUTCOME_UNKNOWN_SWEEP", "1s")))
                .start();
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        api.stop();
    }

    @Test
    void anUnresolvedUnknownOutcomeFailsWhenItsWaitExpires() {
        String key = SystemUnderTest.newOwner(api);
        SystemUnderTest.integration(api, key, "pay", stub.baseUrl());
        as(api, key)
                .body(Map.of("key", "pay", "intent", "Pay", "type", "http", "timeoutMs", 300, "http",
                        Map.of("integrationKey", "pay", "method", "POST", "path", "/pay/{id}")))
                .post("/v1/actions").then().statusCode(201).body("sideEffects", equalTo("non_idempotent"));
        String runId = as(api, key)
                .body(Map.of("key", "pay", "userId", "u", "input", Map.of("id", "e1"), "async", true))
                .post("/v1/actions/run").then().statusCode(202).extract().path("runId");
        Awaitility.await("outcome unknown").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    // a run not started yet has no events (on a busy machine the first looks come before its start)
                    List<String> types = as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").then()
                            .statusCode(200).extract().jsonPath().getList("events.type");
                    return types != null && types.contains("STEP_OUTCOME_UNKNOWN");
                });
        JsonPath done = Plans.finished(api, key, runId);
        assertEquals("FAILED", done.getString("status"));
        assertEquals("outcome_unknown", done.getString("error.code"));
        assertEquals(List.of("STEP_OUTCOME_UNKNOWN", "STEP_FAILED"),
                done.getList("events.findAll { it.stepId != null && it.type != 'STEP_STARTED' }.type"));
        assertEquals(1, stub.receivedUnder("/pay/e1").size());
        as(api, key).body(Map.of("outcome", "succeeded", "output", Map.of())).post("/v1/runs/" + runId + "/resolve")
                .then().statusCode(409);
    }
}

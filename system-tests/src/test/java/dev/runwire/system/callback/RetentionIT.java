package dev.runwire.system.callback;

import static dev.runwire.system.support.SystemUnderTest.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;

/**
 * Callback deliveries are bounded: a finished one and its attempts are deleted once past the retention, while one still
 * pending (its receiver down, its next attempt minutes away) stays, whatever its age.
 */
class RetentionIT {

    static ServiceProcess api;
    @NewStub
    static Stub stub;
    @SharedTopics
    static IsolatedTopics topics;

    @BeforeAll
    static void setUp() {
        stub.on("/items/", 200, "{\"id\":\"i\",\"price\":1}", 0);
        stub.on("/hook/ok", 204, "", 0);
        stub.on("/hook/down", 503, "", 0);
        // a replica of its own, on the shared topics, that keeps finished deliveries for 3 s; its retry schedule is
        // the shared replica's (the default: after 0 s and 5 s the next attempt is minutes away), as both send the
        // deliveries of the same database
        api = ServiceProcess
                .api("api-retention",
                        topics.apiEnv(
                                Map.of("RUNWIRE_CALLBACKS_RETENTION", "3s", "RUNWIRE_CALLBACKS_PURGE_INTERVAL", "1s")))
                .start();
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        api.stop();
    }

    @Test
    void finishedDeliveriesAreDeletedAfterTheRetentionAndPendingOnesStay() throws Exception {
        String key = SystemUnderTest.newOwner(api);
        SystemUnderTest.integration(api, key, "shop", stub.baseUrl());
        SystemUnderTest.action(api, key, "item", "shop", "/items", 5_000);
        String delivered = run(key, "/hook/ok", "a");
        String waiting = run(key, "/hook/down", "b");
        String deliveredId = awaitState(key, delivered, "succeeded");
        String waitingId = awaitState(key, waiting, "pending");
        assertEquals(1L, attempts(deliveredId));

        Awaitility.await("purged").atMost(Duration.ofSeconds(30))
                .until(() -> as(api, key).get("/v1/callbacks/" + deliveredId).then().extract().statusCode() == 404);
        assertEquals(0L, attempts(deliveredId));
        // older than the retention too, but pending: it stays through further purge passes, with its attempt
        Awaitility.await("still there").during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10))
                .until(() -> as(api, key).get("/v1/callbacks/" + waitingId).then().extract().statusCode() == 200);
        as(api, key).get("/v1/callbacks/" + waitingId).then().statusCode(200).body("state", equalTo("pending"));
        // the shared replica (same database, its own schedule) may have tried once more; none was deleted
        assertTrue(attempts(waitingId) >= 1);
    }

    private static String run(String key, String hook, String id) {
        return as(api, key).body(Map.of("key", "item", "userId", "u", "input", Map.of("id", id), "async", true,
                "callbackUrl", stub.baseUrl() + hook)).post("/v1/actions/run").then().statusCode(202).extract()
                .path("runId");
    }

    private static String awaitState(String key, String runId, String state) {
        Awaitility.await(state).atMost(Duration.ofSeconds(30)).until(() -> state.equals(
                as(api, key).get("/v1/callbacks?runId=" + runId).then().statusCode(200).extract().path("[0].state")));
        return as(api, key).get("/v1/callbacks?runId=" + runId).then().extract().path("[0].id");
    }

    private static long attempts(String deliveryId) throws Exception {
        return (Long) SystemUnderTest
                .query("select count(*) from api.delivery_attempts where delivery_id = '" + deliveryId + "'").get(0)
                .get(0);
    }
}

package dev.runwire.system;

import static dev.runwire.system.SystemUnderTest.action;
import static dev.runwire.system.SystemUnderTest.as;
import static dev.runwire.system.SystemUnderTest.integration;
import static dev.runwire.system.SystemUnderTest.newOwner;
import static dev.runwire.system.SystemUnderTest.query;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Restarting the api-service with runs in flight loses none of them. */
class ApiRestartIT {

    private static final int RUNS = 10;

    @Test
    void runsInFlightFinishAcrossAnApiRestart() throws Exception {
        IsolatedTopics topics = new IsolatedTopics("restart");
        Map<String, String> apiEnv = topics.apiEnv(Map.of("RUNWIRE_RUN_SYNC_WAIT", "30s"));
        try (Stub stub = new Stub();
                ServiceProcess executor = ServiceProcess.executor("executor-restart", topics.executorEnv()).start()) {
            stub.on("/restart/", 200, "{\"id\":\"1\",\"price\":3}", 2_000);
            ServiceProcess first = ServiceProcess.api("api-restart-1", apiEnv).start();
            String key = newOwner(first);
            integration(first, key, "stub", stub.baseUrl());
            action(first, key, "restart", "stub", "/restart", 10_000);
            String ownerId = query("select owner_id from api.integrations where base_url = '" + stub.baseUrl() + "'")
                    .get(0).get(0).toString();

            for (int i = 0; i < RUNS; i++) {
                String id = "r" + i;
                // the callers wait; the restart cuts them off, which is fine: the runs were accepted
                CompletableFuture.runAsync(
                        () -> as(first, key).body(Map.of("key", "restart", "userId", "u", "input", Map.of("id", id)))
                                .post("/v1/actions/run"));
            }
            Awaitility.await("runs accepted").atMost(Duration.ofSeconds(20))
                    .until(() -> query("select count(*) from api.runs where owner_id = '" + ownerId + "'").get(0).get(0)
                            .equals((long) RUNS));
            first.stop();

            try (ServiceProcess second = ServiceProcess.api("api-restart-2", apiEnv).start()) {
                List<List<Object>> runs = query("select id from api.runs where owner_id = '" + ownerId + "'");
                for (List<Object> run : runs) {
                    Awaitility.await("run " + run.get(0)).atMost(Duration.ofSeconds(60))
                            .untilAsserted(() -> as(second, key).get("/v1/runs/" + run.get(0)).then().statusCode(200)
                                    .body("status", equalTo("SUCCESS")).body("result.price", equalTo(3)));
                }
            }
        }
    }
}

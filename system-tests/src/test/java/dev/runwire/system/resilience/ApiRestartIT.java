package dev.runwire.system.resilience;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Stopping the api-service (SIGTERM) with runs in flight and starting a new one loses none of them: their events,
 * published while no api-service ran, reach the read model and {@code GET} shows the runs finished.
 */
class ApiRestartIT {

    private static final int RUNS = 10;

    @Test
    void runsInFlightFinishAcrossAnApiRestart() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(RUNS);
        try (IsolatedTopics topics = new IsolatedTopics("restart"); Stub stub = new Stub();
                ServiceProcess executor = ServiceProcess.executor("executor-restart", topics.executorEnv()).start()) {
            // the callers wait for the synchronous answer; the stop cuts them off, which is fine: the runs were
            // accepted
            Map<String, String> apiEnv = topics.apiEnv(Map.of("RUNWIRE_RUN_SYNC_WAIT", "30s"));
            stub.on("/restart/", 200, "{\"id\":\"1\",\"price\":3}", 1_000);
            ServiceProcess first = ServiceProcess.api("api-restart-1", apiEnv).start();
            try {
                Owner owner = owner(first);
                integration(first, owner.apiKey(), "stub", stub.baseUrl());
                action(first, owner.apiKey(), "restart", "stub", "/restart", 10_000);

                for (int i = 0; i < RUNS; i++) {
                    Map<String, Object> body = Map.of("key", "restart", "userId", "u", "input", Map.of("id", "r" + i));
                    clients.submit(() -> as(first, owner.apiKey()).body(body).post("/v1/actions/run"));
                }
                Awaitility.await("runs accepted").atMost(Duration.ofSeconds(20))
                        .until(() -> runCount(owner.id()) == RUNS);
                long unfinished = (Long) query("select count(*) from api.runs where owner_id = '" + owner.id()
                        + "' and status not in ('SUCCESS','FAILED')").get(0).get(0);
                first.stop();
                assertTrue(unfinished > 0, "runs were in flight when the api-service stopped");

                try (ServiceProcess second = ServiceProcess.api("api-restart-2", apiEnv).start()) {
                    List<List<Object>> runs = query("select id from api.runs where owner_id = '" + owner.id() + "'");
                    assertEquals(RUNS, runs.size());
                    Awaitility.await("all runs finished").atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                                for (List<Object> run : runs) {
                                    as(second, owner.apiKey()).get("/v1/runs/" + run.get(0) + "?includeEvents=true")
                                            .then().statusCode(200).body("status", equalTo("SUCCESS"))
                                            .body("result.price", equalTo(3))
                                            .body("events.seq", equalTo(List.of(1, 2, 3, 4)))
                                            .body("events.type", equalTo(List.of("RUN_STARTED", "STEP_STARTED",
                                                    "STEP_SUCCEEDED", "RUN_SUCCEEDED")));
                                }
                            });
                    assertEquals(RUNS, stub.receivedUnder("/restart/").size(), "each run called its integration once");

                    // and the new instance answers synchronous runs
                    as(second, owner.apiKey())
                            .body(Map.of("key", "restart", "userId", "u", "input", Map.of("id", "after")))
                            .post("/v1/actions/run").then().statusCode(200).body("output.price", equalTo(3));
                }
            } finally {
                first.stop();
            }
        } finally {
            clients.shutdownNow();
        }
    }
}

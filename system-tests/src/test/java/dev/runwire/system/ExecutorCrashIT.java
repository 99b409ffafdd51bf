package dev.runwire.system;

import static dev.runwire.system.SystemUnderTest.action;
import static dev.runwire.system.SystemUnderTest.as;
import static dev.runwire.system.SystemUnderTest.integration;
import static dev.runwire.system.SystemUnderTest.newOwner;
import static dev.runwire.system.SystemUnderTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the executor with runs in flight: every accepted run still finishes, each with exactly one
 * terminal event and no duplicate or missing event; a retried integration call carries the same
 * {@code Idempotency-Key}.
 */
class ExecutorCrashIT {

    private static final int RUNS = 50;

    @Test
    void everyAcceptedRunFinishesExactlyOnceAfterTheExecutorIsKilled() throws Exception {
        IsolatedTopics topics = new IsolatedTopics("crash");
        try (Stub stub = new Stub();
                ServiceProcess api = ServiceProcess
                        .api("api-crash", topics.apiEnv(Map.of("RUNWIRE_RUN_SYNC_WAIT", "1s"))).start();
                ServiceProcess firstExecutor = ServiceProcess.executor("executor-crash-1", topics.executorEnv())
                        .start()) {
            stub.on("/crash/", 200, "{\"id\":\"1\",\"price\":1}", 1_500);
            String key = newOwner(api);
            integration(api, key, "stub", stub.baseUrl());
            action(api, key, "crash", "stub", "/crash", 10_000);

            List<String> runIds = fire(api, key);
            assertEquals(RUNS, runIds.size());
            Awaitility.await("calls in flight").atMost(Duration.ofSeconds(20))
                    .until(() -> stub.receivedUnder("/crash/").size() >= RUNS / 2);
            firstExecutor.kill9();

            try (ServiceProcess secondExecutor = ServiceProcess.executor("executor-crash-2", topics.executorEnv())
                    .start()) {
                String ids = runIds.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
                Awaitility.await("all runs finished").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> query(
                                "select count(*) from api.runs where status = 'SUCCESS' and id in (" + ids + ")").get(0)
                                        .get(0).equals((long) RUNS));

                for (List<Object> row : query("select run_id, count(*), count(distinct seq), min(seq), max(seq), "
                        + "count(*) filter (where type in ('RUN_SUCCEEDED','RUN_FAILED')) from api.run_events "
                        + "where run_id in (" + ids + ") group by run_id")) {
                    assertEquals(4L, row.get(1), "events of run " + row.get(0));
                    assertEquals(4L, row.get(2), "distinct sequences of run " + row.get(0));
                    assertEquals(1L, row.get(3));
                    assertEquals(4L, row.get(4));
                    assertEquals(1L, row.get(5), "terminal events of run " + row.get(0));
                }
                Map<String, Set<String>> keysByPath = stub.receivedUnder("/crash/").stream()
                        .collect(Collectors.groupingBy(Stub.Received::path,
                                Collectors.mapping(r -> r.header("Idempotency-Key"), Collectors.toSet())));
                keysByPath.forEach((path, keys) -> assertEquals(1, keys.size(), "keys seen for " + path + ": " + keys));
                assertTrue(keysByPath.size() >= RUNS, "every run called its integration");
                System.out.printf("executor crash: %d integration calls for %d runs%n",
                        stub.receivedUnder("/crash/").size(), RUNS);
            }
        }
    }

    /** Starts the runs concurrently; each answers 202 with its id after the api's 1 s wait. */
    private static List<String> fire(ServiceProcess api, String key) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(RUNS);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                String id = "item-" + i;
                answers.add(clients.submit(
                        () -> as(api, key).body(Map.of("key", "crash", "userId", "u", "input", Map.of("id", id)))
                                .post("/v1/actions/run").then().statusCode(202).extract().<String> path("runId")));
            }
            List<String> runIds = new ArrayList<>();
            for (Future<String> answer : answers) {
                runIds.add(answer.get());
            }
            return runIds;
        } finally {
            clients.shutdownNow();
        }
    }
}

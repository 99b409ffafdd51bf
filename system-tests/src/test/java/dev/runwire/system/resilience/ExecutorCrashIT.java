package dev.runwire.system.resilience;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.newOwner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static org.hamcrest.Matchers.equalTo;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.restassured.response.Response;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.Stub;

/**
 * {@code kill -9} of the executor with runs in flight, then a new executor: every accepted run still finishes, each
 * with exactly one terminal event and no duplicate or missing event in the read model; a retried integration call
 * carries the same {@code Idempotency-Key} as the call it repeats.
 */
class ExecutorCrashIT {

    private static final int RUNS = 50;
    private static final String TERMINAL = "('SUCCESS','FAILED')";

    @Test
    void everyAcceptedRunFinishesExactlyOnceAfterTheExecutorIsKilled() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(RUNS);
        try (IsolatedTopics topics = new IsolatedTopics("crash"); Stub stub = new Stub();
                ServiceProcess api = ServiceProcess
                        .api("api-crash", topics.apiEnv(Map.of("RUNWIRE_RUN_SYNC_WAIT", "1s"))).start();
                ServiceProcess firstExecutor = ServiceProcess.executor("executor-crash-1", topics.executorEnv())
                        .start()) {
            // long enough that the kill surely lands while calls are in flight, short enough for a quick test
            stub.on("/crash/", 200, "{\"id\":\"1\",\"price\":1}", 1_000);
            String key = newOwner(api);
            integration(api, key, "stub", stub.baseUrl());
            action(api, key, "crash", "stub", "/crash", 10_000);

            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                Map<String, Object> body = Map.of("key", "crash", "userId", "u", "input", Map.of("id", "item-" + i));
                answers.add(clients.submit(() -> as(api, key).body(body).post("/v1/actions/run")));
            }
            Awaitility.await("calls in flight").atMost(Duration.ofSeconds(30))
                    .until(() -> stub.receivedUnder("/crash/").size() >= RUNS / 2);
            firstExecutor.kill9();
            int callsBeforeKill = stub.receivedUnder("/crash/").size();

            // every request was accepted: the api answers 202 after its 1 s wait whatever the executor does
            List<String> runIds = new ArrayList<>();
            for (Future<Response> answer : answers) {
                Response response = answer.get(30, TimeUnit.SECONDS);
                assertTrue(response.statusCode() == 202 || response.statusCode() == 200,
                        "accepted: " + response.statusCode() + " " + response.asString());
                runIds.add(response.path("runId"));
            }
            assertEquals(RUNS, Set.copyOf(runIds).size());
            String ids = runIds.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
            long finishedAtKill = count(
                    "select count(*) from api.runs where status in " + TERMINAL + " and id in (" + ids + ")");
            assertTrue(finishedAtKill < RUNS, "runs were in flight when the executor died");

            try (ServiceProcess secondExecutor = ServiceProcess.executor("executor-crash-2", topics.executorEnv())
                    .start()) {
                Awaitility.await("all runs finished").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> count("select count(*) from api.runs where status in " + TERMINAL + " and id in ("
                                + ids + ")") == RUNS);
                assertEquals(RUNS, count("select count(*) from api.runs where status = 'SUCCESS' and last_seq = 4 "
                        + "and id in (" + ids + ")"), "every run succeeded with its four events applied");

                List<List<Object>> perRun = query("select run_id, count(*), count(distinct seq), min(seq), max(seq), "
                        + "count(*) filter (where type in ('RUN_SUCCEEDED','RUN_FAILED')), count(distinct event_id), "
                        + "string_agg(type, ',' order by seq) from api.run_events where run_id in (" + ids + ") "
                        + "group by run_id");
                assertEquals(RUNS, perRun.size(), "every run has events");
                for (List<Object> row : perRun) {
                    String run = "run " + row.get(0);
                    assertEquals(4L, row.get(1), "events of " + run);
                    assertEquals(4L, row.get(2), "distinct sequences of " + run);
                    assertEquals(1L, row.get(3), "first sequence of " + run);
                    assertEquals(4L, row.get(4), "last sequence of " + run);
                    assertEquals(1L, row.get(5), "terminal events of " + run);
                    assertEquals(4L, row.get(6), "distinct event ids of " + run);
                    assertEquals("RUN_STARTED,STEP_STARTED,STEP_SUCCEEDED,RUN_SUCCEEDED", row.get(7), run);
                }
                for (String runId : runIds) {
                    as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").then().statusCode(200)
                            .body("status", equalTo("SUCCESS")).body("result.id", equalTo("1"))
                            .body("events.seq", equalTo(List.of(1, 2, 3, 4)));
                }

                List<Stub.Received> calls = stub.receivedUnder("/crash/");
                Map<String, Set<String>> keysByItem = calls.stream().collect(Collectors.groupingBy(Stub.Received::path,
                        Collectors.mapping(r -> String.valueOf(r.header("Idempotency-Key")), Collectors.toSet())));
                assertEquals(RUNS, keysByItem.size(), "every run called its integration");
                keysByItem.forEach((path, keys) -> assertEquals(1, keys.size(), "keys seen for " + path + ": " + keys));
                assertEquals(RUNS, keysByItem.values().stream().flatMap(Set::stream).distinct().count(),
                        "one key per run step");
                assertTrue(keysByItem.values().stream().noneMatch(keys -> keys.contains("null")),
                        "every call carried an Idempotency-Key");
                long retried = calls.stream().collect(Collectors.groupingBy(Stub.Received::path, Collectors.counting()))
                        .values().stream().filter(n -> n > 1).count();
                // a call in flight at the kill has no outcome, so its run must call again: else nothing was tested
                assertTrue(retried > 0, "some calls were retried after the crash");
                System.out.printf(
                        "executor crash: %d calls before the kill, %d calls in all for %d runs, "
                                + "%d runs finished at the kill, %d runs called more than once%n",
                        callsBeforeKill, calls.size(), RUNS, finishedAtKill, retried);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private static long count(String sql) throws Exception {
        return (Long) query(sql).get(0).get(0);
    }
}

package dev.runwire.system.resilience;

import static dev.runwire.system.support.Plans.create;
import static dev.runwire.system.support.Plans.runBody;
import static dev.runwire.system.support.Plans.step;
import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.newOwner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;

/**
 * Executors come and go while runs are in flight: two replicas, a third joins, one stops gracefully and one is killed
 * with -9, so partitions move several times. A run is held by one executor at a time (a lease with a number that fences
 * the writes of whoever held it before, docs/adr/0030): no step is ever called by two executors at once, every call of
 * a step carries one idempotency key, every run ends once with contiguous events, and a step's retry attempts are
 * counted across executors.
 */
class ExecutorReplicasIT {

    private static final String LEASE = "4s";
    private static final Set<String> FINISHED = Set.of("SUCCESS", "PARTIAL_SUCCESS", "NO_SUCCESS", "FAILED",
            "CANCELED");

    private static Map<String, String> executorEnv(IsolatedTopics topics) {
        Map<String, String> env = new HashMap<>(topics.executorEnv());
        env.put("RUNWIRE_EXECUTION_LEASE", LEASE);
        return env;
    }

    @Test
    void stepsAreNeverCalledByTwoExecutorsWhileReplicasJoinStopAndDie() throws Exception {
        try (IsolatedTopics topics = new IsolatedTopics("replicas"); Stub stub = new Stub();
                ServiceProcess api = ServiceProcess.api("api-replicas", topics.apiEnv(Map.of())).start();
                ServiceProcess first = ServiceProcess.executor("executor-replicas-1", executorEnv(topics)).start();
                ServiceProcess second = ServiceProcess.executor("executor-replicas-2", executorEnv(topics)).start()) {
            stub.on("/rep/", 200, "{\"id\":\"r\",\"price\":1}", 1_500);
            SystemUnderTest.Owner owner = SystemUnderTest.owner(api);
            String key = owner.apiKey();
            integration(api, key, "stub", stub.baseUrl());
            action(api, key, "rep", "stub", "/rep", 10_000);
            SystemUnderTest.awaitFlowing(api);

            // a plan run every 150 ms, each three steps of 1.5 s: runs are in flight at every move
            List<String> runs = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread load = new Thread(() -> {
                for (int n = 0; loading.get(); n++) {
                    runs.add(create(api, key,
                            runBody(List.of(step("A", "rep", List.of(), Map.of("id", "r" + n + "-A")),
                                    step("B", "rep", List.of("A"), Map.of("id", "r" + n + "-B")),
                                    step("C", "rep", List.of("B"), Map.of("id", "r" + n + "-C"))))));
                    try {
                        Thread.sleep(150);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "replicas-load");
            load.start();
            List<String> inFlight = new ArrayList<>();
            awaitInFlight(owner.id());
            inFlight.add("a third joins " + unfinished(owner.id()));
            try (ServiceProcess third = ServiceProcess.executor("executor-replicas-3", executorEnv(topics)).start()) {
                awaitInFlight(owner.id());
                inFlight.add("the first stops " + unfinished(owner.id()));
                first.stop();
                awaitInFlight(owner.id());
                inFlight.add("the second is killed " + unfinished(owner.id()));
                second.kill9();
                int afterKill = runs.size();
                Awaitility.await("runs accepted after the kill").atMost(Duration.ofSeconds(30))
                        .until(() -> runs.size() >= afterKill + 10);
                loading.set(false);
                load.join();

                Awaitility.await("every run ends").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> unfinished(owner.id()) == 0);
                ServiceProcess.assertNoThreadBlocked(third);
            }
            int lost = 0;
            int gaps = 0;
            for (String runId : runs) {
                List<List<Object>> events = query(
                        "select seq from api.run_events where run_id = '" + runId + "' order by seq");
                String status = as(api, key).get("/v1/runs/" + runId).then().statusCode(200).extract().path("status");
                if (!"SUCCESS".equals(status)) {
                    lost++;
                }
                // start, started and succeeded for each of three steps, the end
                for (int i = 0; i < events.size(); i++) {
                    if ((long) events.get(i).get(0) != i + 1) {
                        gaps++;
                        break;
                    }
                }
                assertEquals(8, events.size(), "run " + runId + " has each event once: " + events);
            }
            int repeated = 0;
            int twoKeys = 0;
            int overlapping = 0;
            for (int n = 0; n < runs.size(); n++) {
                for (String s : List.of("A", "B", "C")) {
                    List<Stub.Received> calls = stub.receivedUnder("/rep/r" + n + "-" + s);
                    repeated += Math.max(0, calls.size() - 1);
                    if (calls.stream().map(c -> c.header("Idempotency-Key")).distinct().count() > 1) {
                        twoKeys++;
                    }
                    for (int i = 0; i < calls.size(); i++) {
                        for (int j = i + 1; j < calls.size(); j++) {
                            if (calls.get(i).overlaps(calls.get(j))) {
                                overlapping++;
                            }
                        }
                    }
                }
            }
            System.out.printf(
                    "executor replicas: %d runs; in flight when %s; not ended successfully %d, event gaps %d, "
                            + "steps called twice at once %d, calls under two keys %d, calls repeated after a move %d%n",
                    runs.size(), String.join(", ", inFlight), lost, gaps, overlapping, twoKeys, repeated);
            assertEquals(0, lost, "every run succeeded");
            assertEquals(0, gaps, "events contiguous");
            assertEquals(0, overlapping, "no step called by two executors at once");
            assertEquals(0, twoKeys, "one idempotency key per step");
        }
    }

    @Test
    void aStepsRetryAttemptsAreCountedAcrossExecutors() throws Exception {
        try (IsolatedTopics topics = new IsolatedTopics("attempts"); Stub stub = new Stub();
                ServiceProcess api = ServiceProcess.api("api-attempts", topics.apiEnv(Map.of())).start()) {
            ServiceProcess first = ServiceProcess.executor("executor-attempts-1", executorEnv(topics)).start();
            stub.on("/busy/", 503, "{\"error\":\"busy\"}", 0);
            String key = newOwner(api);
            integration(api, key, "stub", stub.baseUrl());
            as(api, key)
                    .body(Map.of("key", "busy", "intent", "Get an item, retried", "inputSchema",
                            Map.of("type", "object", "properties", Map.of("id", Map.of("type", "string"))), "type",
                            "http", "http", Map.of("integrationKey", "stub", "method", "GET", "path", "/busy/{id}"),
                            "timeoutMs", 5_000, "retry", Map.of("maxAttempts", 3, "backoffMs", 3_000)))
                    .post("/v1/actions").then().statusCode(201);
            String runId = create(api, key, runBody(List.of(step("R", "busy", List.of(), Map.of("id", "x")))));
            // the first attempt failed and the retry is recorded: the executor dies while it waits for the next
            Awaitility.await("first attempt recorded").atMost(Duration.ofSeconds(60))
                    .until(() -> !query(
                            "select 1 from api.run_events where run_id = '" + runId + "' and type = 'STEP_RETRYING'")
                                    .isEmpty());
            first.kill9();
            try (ServiceProcess second = ServiceProcess.executor("executor-attempts-2", executorEnv(topics)).start()) {
                Awaitility.await("run ends").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(
                        () -> FINISHED.contains(as(api, key).get("/v1/runs/" + runId).then().extract().path("status")));
            }
            List<Stub.Received> calls = stub.receivedUnder("/busy/x");
            assertEquals(3, calls.size(), "three attempts in all, not three more after the restart");
            assertEquals(1, calls.stream().map(c -> c.header("Idempotency-Key")).distinct().count());
            assertEquals("NO_SUCCESS", as(api, key).get("/v1/runs/" + runId).then().extract().path("status"));
        }
    }

    /** Waits until runs are in flight, so the next move happens with some. */
    private static void awaitInFlight(String ownerId) {
        Awaitility.await("runs in flight").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> unfinished(ownerId) >= 5);
    }

    /** Runs of the owner not ended yet in the read model. */
    private static long unfinished(String ownerId) throws java.sql.SQLException {
        return (Long) query("select count(*) from api.runs where owner_id = '" + ownerId + "' and status not in "
                + "('SUCCESS', 'PARTIAL_SUCCESS', 'NO_SUCCESS', 'FAILED', 'CANCELED')").get(0).get(0);
    }
}

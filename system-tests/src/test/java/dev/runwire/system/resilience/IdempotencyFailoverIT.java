package dev.runwire.system.resilience;

import static dev.runwire.system.support.Plans.runBody;
import static dev.runwire.system.support.Plans.step;
import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.restassured.response.Response;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * The api-service replica that holds callers' idempotency keys dies ({@code kill -9}) under load: each caller retries
 * its key on another replica and gets the run its first attempt created (no second run, no second integration call),
 * once the dead replica's lease on the key lapses (runwire.idempotency.lease, 10 s by default) and never minutes later.
 */
class IdempotencyFailoverIT {

    private static final int CLIENTS = 10;
    private static final int REQUESTS_PER_CLIENT = 10;
    private static final Duration LEASE = Duration.ofSeconds(10);
    /** How long a client keeps retrying a key after its replica died. */
    private static final Duration RETRY_FOR = Duration.ofSeconds(30);

    /** How one request with its key went, over all its attempts. */
    record Outcome(String key, String kind, String inputId, int firstStatus, String firstRunId, boolean cutOff,
            int status, String runId, int conflicts, long answeredAfterKillMillis,
            long lastConflictSentAfterKillMillis) {
    }

    @Test
    void aKeyHeldByADeadReplicaIsTakenOverAndAnswersItsRun(@SharedTopics IsolatedTopics topics) throws Exception {
        Map<String, String> apiEnv = topics.apiEnv(Map.of("RUNWIRE_RUN_SYNC_WAIT", "10s"));
        String tag = "fo-" + UUID.randomUUID().toString().substring(0, 8);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        // both replicas start side by side: a JVM start takes seconds here
        CompletableFuture<ServiceProcess> startingB = CompletableFuture
                .supplyAsync(() -> ServiceProcess.api("api-failover-b", apiEnv).start());
        try (Stub stub = new Stub(); ServiceProcess a = ServiceProcess.api("api-failover-a", apiEnv).start();
                ServiceProcess b = startingB.join()) {
            // slow enough that synchronous callers are waiting, with their runs written, when their replica dies
            stub.on("/fo/", 200, "{\"id\":\"fo\",\"price\":7}", 1_000);
            Owner owner = owner(a);
            integration(a, owner.apiKey(), "stub", stub.baseUrl());
            action(a, owner.apiKey(), "fo", "stub", "/fo", 20_000);

            AtomicLong killedAt = new AtomicLong();
            AtomicInteger answered = new AtomicInteger();
            List<Future<List<Outcome>>> work = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                work.add(clients.submit(() -> {
                    List<Outcome> outcomes = new ArrayList<>();
                    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                        outcomes.add(request(a, b, owner, tag + "-" + client + "-" + i, (client + i) % 3, killedAt));
                        answered.incrementAndGet();
                    }
                    return outcomes;
                }));
            }
            // the kill lands while some caller waits on a run already written (a synchronous run in its stub call)
            Awaitility.await("load under way, a run written and its caller waiting").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> answered.get() >= 25
                            && (Long) query("select count(*) from api.idempotency_keys" + " where owner_id = '"
                                    + owner.id() + "' and status is null and run_id is not null").get(0).get(0) >= 2);
            killedAt.set(System.nanoTime());
            a.kill9();

            List<Outcome> outcomes = new ArrayList<>();
            for (Future<List<Outcome>> client : work) {
                outcomes.addAll(client.get());
            }
            report(outcomes, b);

            for (Outcome outcome : outcomes) {
                assertTrue(outcome.status() >= 200 && outcome.status() < 300, "answered with a 2xx: " + outcome);
                if (outcome.firstRunId() != null) {
                    assertEquals(outcome.firstRunId(), outcome.runId(), "the first answer's run: " + outcome);
                }
                if (outcome.cutOff()) {
                    assertTrue(outcome.answeredAfterKillMillis() < LEASE.toMillis() + 5_000,
                            "answered within the lease and a margin of the kill: " + outcome);
                }
                // sent more than a lease after the kill, a repeat finds the dead replica's claim lapsed
                assertTrue(outcome.lastConflictSentAfterKillMillis() < LEASE.toMillis() + 1_000,
                        "no 409 once the dead replica's lease lapsed: " + outcome);
            }
            assertTrue(outcomes.stream().anyMatch(Outcome::cutOff), "some callers lost their replica mid-request");
            assertTrue(b.metric("runwire_idempotency_takeovers_total") >= 1,
                    "some keys were taken over with their run already written");

            // one run per key, and it is the one every answer named
            assertEquals(outcomes.size(), runCount(owner.id()), "one run per key");
            for (Outcome outcome : outcomes) {
                List<List<Object>> runs = query("select id from api.runs where owner_id = '" + owner.id()
                        + "' and plan::text like '%\"" + outcome.inputId() + "\"%'");
                assertEquals(List.of(List.of(UUID.fromString(outcome.runId()))), runs,
                        "the key's one run is the answered run: " + outcome);
            }
            // every run calls its integration, each under one stable key: no effect twice under two keys
            Awaitility.await("every run finished").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> (Long) query("select count(*) from api.runs where owner_id = '" + owner.id()
                            + "' and status in ('SUCCESS', 'FAILED')").get(0).get(0) == outcomes.size());
            int repeatedCalls = 0;
            for (Outcome outcome : outcomes) {
                List<Stub.Received> calls = stub.receivedUnder("/fo/" + outcome.inputId());
                Set<String> keys = calls.stream().map(call -> call.header("Idempotency-Key"))
                        .collect(Collectors.toSet());
                assertEquals(1, keys.size(), "the integration saw one key for " + outcome + ": " + keys);
                repeatedCalls += calls.size() - 1;
            }
            System.out.printf("integration calls: %d for %d keys (%d repeated under the same key)%n",
                    stub.receivedUnder("/fo/").size(), outcomes.size(), repeatedCalls);

            // another owner's identical key is another request: another run
            Outcome any = outcomes.get(0);
            Owner other = owner(b);
            integration(b, other.apiKey(), "stub", stub.baseUrl());
            action(b, other.apiKey(), "fo", "stub", "/fo", 20_000);
            Response theirs = as(b, other.apiKey()).header("Idempotency-Key", any.key())
                    .body(body(any.kind(), any.inputId())).post(path(any.kind()));
            assertTrue(theirs.statusCode() >= 200 && theirs.statusCode() < 300, theirs.asString());
            assertNotEquals(any.runId(), theirs.path("runId"), "another owner's key makes its own run");
            assertEquals(1L, runCount(other.id()));
        } finally {
            clients.shutdownNow();
        }
    }

    /**
     * One request with its key: to replica A while it lives; after a connection error (A died), the same key again on
     * replica B until a 2xx, for {@link #RETRY_FOR} at most.
     */
    private static Outcome request(ServiceProcess a, ServiceProcess b, Owner owner, String inputId, int kindIndex,
            AtomicLong killedAt) {
        String kind = List.of("sync", "async", "plan").get(kindIndex);
        String key = UUID.randomUUID().toString();
        Object body = body(kind, inputId);
        int firstStatus = 0;
        String firstRunId = null;
        boolean cutOff = false;
        if (killedAt.get() == 0) {
            try {
                Response first = as(a, owner.apiKey()).header("Idempotency-Key", key).body(body).post(path(kind));
                firstStatus = first.statusCode();
                firstRunId = first.statusCode() < 300 ? first.path("runId") : null;
            } catch (Exception e) {
                // the replica died under the request (RestAssured throws the connection's IOException unchecked)
                cutOff = true;
            }
        }
        if (firstStatus >= 200 && firstStatus < 300) {
            return new Outcome(key, kind, inputId, firstStatus, firstRunId, false, firstStatus, firstRunId, 0, -1, -1);
        }
        List<Response> answers = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger conflicts = new AtomicInteger();
        AtomicLong lastConflict = new AtomicLong(-1);
        Awaitility.await("a 2xx for " + inputId).atMost(RETRY_FOR).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    long sent = sinceKill(killedAt);
                    Response retry = as(b, owner.apiKey()).header("Idempotency-Key", key).body(body).post(path(kind));
                    answers.add(retry);
                    if (retry.statusCode() == 409) {
                        conflicts.incrementAndGet();
                        lastConflict.set(sent);
                    }
                    return retry.statusCode() >= 200 && retry.statusCode() < 300;
                });
        Response last = answers.get(answers.size() - 1);
        return new Outcome(key, kind, inputId, firstStatus, firstRunId, cutOff, last.statusCode(), last.path("runId"),
                conflicts.get(), sinceKill(killedAt), lastConflict.get());
    }

    private static long sinceKill(AtomicLong killedAt) {
        return killedAt.get() == 0 ? 0 : (System.nanoTime() - killedAt.get()) / 1_000_000;
    }

    private static String path(String kind) {
        return kind.equals("plan") ? "/v1/runs" : "/v1/actions/run";
    }

    private static Object body(String kind, String inputId) {
        return switch (kind) {
        case "sync" -> Map.of("key", "fo", "userId", "u", "input", Map.of("id", inputId));
        case "async" -> Map.of("key", "fo", "userId", "u", "async", true, "input", Map.of("id", inputId));
        default -> runBody(List.of(step("A", "fo", List.of(), Map.of("id", inputId))));
        };
    }

    private static void report(List<Outcome> outcomes, ServiceProcess b) {
        List<Outcome> cutOff = outcomes.stream().filter(Outcome::cutOff).toList();
        List<Long> takeover = cutOff.stream().map(Outcome::answeredAfterKillMillis).sorted().toList();
        System.out.printf(
                "idempotency failover: %d requests (%d answered by the replica that died, %d cut off by its death, "
                        + "%d sent to the other replica after it), %d non-2xx at the end, %d 409s received in all%n",
                outcomes.size(), outcomes.stream().filter(o -> o.firstRunId() != null).count(), cutOff.size(),
                outcomes.stream().filter(o -> !o.cutOff() && o.firstRunId() == null).count(),
                outcomes.stream().filter(o -> o.status() < 200 || o.status() >= 300).count(),
                outcomes.stream().mapToInt(Outcome::conflicts).sum());
        System.out.printf(
                "takeovers with the run already written: %.0f; cut-off requests answered %s ms after the kill"
                        + " (min/median/max %s)%n",
                b.metric("runwire_idempotency_takeovers_total"), takeover, takeover.isEmpty() ? "-" : takeover.get(0)
                        + "/" + takeover.get(takeover.size() / 2) + "/" + takeover.get(takeover.size() - 1));
        cutOff.forEach(o -> System.out.printf("  cut off: %s %s -> %d %s after %d ms, %d 409s (last sent at %d ms)%n",
                o.kind(), o.inputId(), o.status(), o.runId(), o.answeredAfterKillMillis(), o.conflicts(),
                o.lastConflictSentAfterKillMillis()));
    }
}

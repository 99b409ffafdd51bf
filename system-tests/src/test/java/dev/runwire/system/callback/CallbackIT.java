package dev.runwire.system.callback;

import static dev.runwire.system.support.Plans.runBody;
import static dev.runwire.system.support.Plans.step;
import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.Plans;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;
import dev.runwire.system.support.SystemUnderTest.Owner;
import dev.runwire.system.support.WebhookVerifier;

/**
 * Callbacks of asynchronous runs (Standard Webhooks) through two api-service replicas: signed (checked by a verifier
 * written apart from the product's signer, also across a secret rotation), retried on a compressed schedule with one
 * {@code webhook-id}, recorded attempt by attempt, redeliverable, in event order per run, delivered despite a
 * {@code kill -9} of the replica sending it, and refused for addresses Runwire may not reach. The stubs listen on
 * 127.0.0.2, the only address these services allow, so that 127.0.0.1 in any notation is a refused address here.
 */
class CallbackIT {

    /**
     * Only the stubs' address is reachable; three attempts 0, 300 and 600 ms apart; 3 s per attempt; a database of
     * their own, so that no replica configured otherwise sends these callbacks.
     */
    static final Map<String, String> API_ENV = apiEnv();

    private static Map<String, String> apiEnv() {
        Map<String, String> env = new HashMap<>(SystemUnderTest.secondDatabase());
        env.putAll(Map.of("RUNWIRE_EGRESS_ALLOW", "127.0.0.2/32", "RUNWIRE_CALLBACKS_SCHEDULE", "0s,300ms,600ms",
                "RUNWIRE_CALLBACKS_JITTER", "0.1", "RUNWIRE_CALLBACKS_TIMEOUT", "3s", "RUNWIRE_CALLBACKS_POLL", "200ms",
                "RUNWIRE_RUN_SYNC_WAIT", "5s"));
        return Map.copyOf(env);
    }

    private static List<List<Object>> query(String sql) throws Exception {
        return SystemUnderTest.query(SystemUnderTest.JDBC_URL_2, sql);
    }

    private static long runCount(String ownerId) throws Exception {
        return (Long) query("select count(*) from api.runs where owner_id = '" + ownerId + "'").get(0).get(0);
    }

    static IsolatedTopics topics;
    /** The integration and the callbacks' receivers, on 127.0.0.2: the only address these services allow. */
    @NewStub(host = "127.0.0.2")
    static Stub stub;
    @NewStub
    static Stub canary;
    static ServiceProcess api;
    static ServiceProcess api2;
    static ServiceProcess executor;
    static Owner owner;

    @BeforeAll
    static void setUp() throws Exception {
        topics = new IsolatedTopics("callbacks");
        api = ServiceProcess.api("api-callbacks-1", topics.apiEnv(API_ENV)).start();
        api2 = ServiceProcess.api("api-callbacks-2", topics.apiEnv(API_ENV)).start();
        Map<String, String> executorEnv = new HashMap<>(topics.executorEnv());
        executorEnv.put("RUNWIRE_EGRESS_ALLOW", "127.0.0.2/32");
        executor = ServiceProcess.executor("executor-callbacks", executorEnv).start();
        owner = owner(api);
        integration(api, owner.apiKey(), "stub", stub.baseUrl());
        action(api, owner.apiKey(), "item", "stub", "/item", 10_000);
        stub.on("/item/", 200, "{\"id\":\"i\",\"price\":2}", 0);
        stub.on("/hook/", 200, "{\"ok\":true}", 0);
        // the first runs wait until the executor has its partitions
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> as(api, owner.apiKey())
                        .body(Map.of("key", "item", "userId", "u", "input", Map.of("id", "warm")))
                        .post("/v1/actions/run").statusCode() == 200);
    }

    @AfterAll
    static void tearDown() throws Exception {
        executor.stop();
        api2.stop();
        api.stop();
        topics.close();
    }

    private static String runAsync(String callbackUrl, String id) {
        return as(api, owner.apiKey()).body(Map.of("key", "item", "userId", "u", "input", Map.of("id", id), "async",
                true, "callbackUrl", callbackUrl)).post("/v1/actions/run").then().statusCode(202).extract()
                .path("runId");
    }

    private static List<Stub.Received> awaitCallbacks(String path, int count) {
        Awaitility.await(count + " callbacks on " + path).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> stub.receivedUnder(path).size() >= count);
        return stub.receivedUnder(path);
    }

    private static JsonPath delivery(String runId, String state) {
        Awaitility.await("delivery of " + runId + " " + state).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> state.equals(as(api, owner.apiKey())
                        .get("/v1/callbacks?runId=" + runId).then().statusCode(200).extract().path("[0].state")));
        String id = as(api, owner.apiKey()).get("/v1/callbacks?runId=" + runId).then().extract().path("[0].id");
        return as(api2, owner.apiKey()).get("/v1/callbacks/" + id).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aCallbackIsSignedAndCarriesTheRunAsItsGetShowsIt() throws Exception {
        String secret = as(api, owner.apiKey()).get("/v1/webhook-secret").then().statusCode(200).extract()
                .path("secret");
        assertTrue(secret.startsWith("whsec_"));
        String runId = runAsync(stub.baseUrl() + "/hook/signed", "s1");
        Stub.Received callback = awaitCallbacks("/hook/signed", 1).get(0);
        assertEquals("POST", callback.method());
        assertTrue(WebhookVerifier.verify(secret, callback), "the signature verifies");
        assertFalse(WebhookVerifier.verify(secret.substring(0, secret.length() - 4) + "AAA=", callback),
                "and not with another secret");
        assertFalse(WebhookVerifier.verify(secret, callback.header("webhook-id"), callback.header("webhook-timestamp"),
                callback.header("webhook-signature"), callback.body() + " "), "nor for another body");

        JsonPath body = JsonPath.from(callback.body());
        JsonPath read = as(api, owner.apiKey()).get("/v1/runs/" + runId).then().statusCode(200).extract().jsonPath();
        // GET of one run also shows its plan, which lists and callback bodies leave out (ADR 0038)
        Map<String, Object> shown = new HashMap<>(read.getMap(""));
        assertNotNull(shown.remove("plan"), "GET of one run shows its plan");
        assertEquals(shown, body.getMap(""), "the body is the run as GET shows it, but for the plan");
        assertEquals("SUCCESS", body.getString("status"));
        assertEquals(2, body.getInt("result.price"));

        JsonPath delivery = delivery(runId, "succeeded");
        assertEquals(callback.header("webhook-id"), delivery.getString("id"));
        assertEquals(1, delivery.getInt("attempts"));
        assertEquals(200, delivery.getInt("attemptHistory[0].statusCode"));
        assertEquals("RUN_SUCCEEDED", delivery.getString("eventType"));
    }

    @Test
    void aRotatedSecretSignsBesideThePreviousOneDuringTheOverlap() throws Exception {
        String before = as(api, owner.apiKey()).get("/v1/webhook-secret").then().extract().path("secret");
        JsonPath rotated = as(api, owner.apiKey()).post("/v1/webhook-secret/rotate").then().statusCode(200).extract()
                .jsonPath();
        String after = rotated.getString("secret");
        assertNotEquals(before, after);
        assertTrue(rotated.getString("previousExpiresAt") != null, "the previous secret still signs for a while");
        // replicas remember secrets for up to 5 s; the overlap covers that, and after it both signatures are sent
        Awaitility.await("both signatures").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    String path = "/hook/rotation-" + UUID.randomUUID();
                    runAsync(stub.baseUrl() + path, "r");
                    Stub.Received callback = awaitCallbacks(path, 1).get(0);
                    return callback.header("webhook-signature").split(" ").length == 2;
                });
        Stub.Received callback = stub.received.get(stub.received.size() - 1);
        assertTrue(WebhookVerifier.verify(after, callback), "the new secret verifies");
        assertTrue(WebhookVerifier.verify(before, callback), "the previous secret still verifies");
    }

    @Test
    void twoFailuresThenSuccessAreThreeAttemptsOfOneDelivery() throws Exception {
        stub.once("/hook/flaky", 500, "{\"error\":\"first\"}");
        stub.once("/hook/flaky", 500, "{\"error\":\"second\"}");
        String runId = runAsync(stub.baseUrl() + "/hook/flaky", "f1");
        List<Stub.Received> attempts = awaitCallbacks("/hook/flaky", 3);
        JsonPath delivery = delivery(runId, "succeeded");
        assertEquals(3, delivery.getInt("attempts"));
        assertEquals(List.of(500, 500, 200), delivery.getList("attemptHistory.statusCode"));
        assertEquals("{\"error\":\"first\"}", delivery.getString("attemptHistory[0].responseExcerpt"));
        assertEquals(1, attempts.stream().map(r -> r.header("webhook-id")).distinct().count(),
                "one webhook-id on every attempt");
        assertEquals(delivery.getString("id"), attempts.get(0).header("webhook-id"));
        // nothing after the success: the count holds for a second
        Awaitility.await("no attempt after the success").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> stub.receivedUnder("/hook/flaky").size() == 3);
    }

    @Test
    void aReceiverDownForTheWholeScheduleFailsTheDeliveryAndARedeliverySucceedsLater() throws Exception {
        stub.on("/hook/down", 503, "{\"error\":\"down\"}", 0);
        String runId = runAsync(stub.baseUrl() + "/hook/down", "d1");
        JsonPath failed = delivery(runId, "failed");
        assertEquals(3, failed.getInt("attempts"), "one attempt per schedule entry");
        assertEquals(List.of(503, 503, 503), failed.getList("attemptHistory.statusCode"));
        // a 4xx other than 408 and 429 ends a delivery at once
        stub.on("/hook/gone", 410, "{}", 0);
        String goneRun = runAsync(stub.baseUrl() + "/hook/gone", "g1");
        assertEquals(1, delivery(goneRun, "failed").getInt("attempts"));

        stub.on("/hook/down", 200, "{}", 0);
        String id = failed.getString("id");
        as(api2, owner.apiKey()).post("/v1/callbacks/" + id + "/redeliver").then().statusCode(202);
        JsonPath redelivered = delivery(runId, "succeeded");
        assertEquals(4, redelivered.getInt("attempts"));
        List<Stub.Received> received = stub.receivedUnder("/hook/down");
        assertEquals(Set.of(id), received.stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet()));
        // a pending or another owner's delivery cannot be redelivered
        Owner other = owner(api);
        as(api, other.apiKey()).post("/v1/callbacks/" + id + "/redeliver").then().statusCode(404);
        as(api, other.apiKey()).get("/v1/callbacks/" + id).then().statusCode(404);
        as(api, other.apiKey()).get("/v1/callbacks?runId=" + runId).then().statusCode(200).body("size()", equalTo(0));
        as(api, owner.apiKey()).get("/v1/callbacks/not-an-id").then().statusCode(404);
        as(api, owner.apiKey()).get("/v1/callbacks?runId=nope").then().statusCode(400);
    }

    @Test
    void aPlanRunCallsBackWhenItPausesAndWhenItEndsInThatOrder() throws Exception {
        Map<String, Object> body = new HashMap<>(runBody(List.of(step("A", "item", List.of(), Map.of("id", "p1")))));
        body.put("approvalStrategy", "ON_START");
        body.put("callbackUrl", stub.baseUrl() + "/hook/plan");
        String runId = as(api, owner.apiKey()).body(body).post("/v1/runs").then().statusCode(201).extract()
                .path("runId");
        List<Stub.Received> paused = awaitCallbacks("/hook/plan", 1);
        assertEquals("PAUSED", JsonPath.from(paused.get(0).body()).getString("status"));
        JsonPath run = as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").then().extract()
                .jsonPath();
        as(api, owner.apiKey()).get("/v1/runs/approval?token=" + Plans.token(run, "approve", 0)).then().statusCode(201);
        List<Stub.Received> both = awaitCallbacks("/hook/plan", 2);
        assertEquals("SUCCESS", JsonPath.from(both.get(1).body()).getString("status"));
        assertNotEquals(both.get(0).header("webhook-id"), both.get(1).header("webhook-id"));
    }

    @Test
    void callbackUrlsToAddressesRunwireMayNotReachAreRefused() throws Exception {
        long before = runCount(owner.id());
        int port = canary.baseUrl().lastIndexOf(':');
        String canaryPort = canary.baseUrl().substring(port + 1);
        for (String url : List.of("http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data",
                "http://[::1]:" + canaryPort + "/hook", "http://[::ffff:127.0.0.1]:" + canaryPort + "/hook",
                "http://2130706433:" + canaryPort + "/hook", "http://0177.0.0.1:" + canaryPort + "/hook",
                "ftp://127.0.0.2/hook", "http://127.0.0.2/" + "x".repeat(2100))) {
            as(api, owner.apiKey())
                    .body(Map.of("key", "item", "userId", "u", "input", Map.of("id", "x"), "async", true, "callbackUrl",
                            url))
                    .post("/v1/actions/run").then().statusCode(422)
                    .body("errors[0].code", equalTo("callback_url_refused"))
                    .body("errors[0].source.pointer", equalTo("/callbackUrl"));
            Map<String, Object> plan = new HashMap<>(runBody(List.of(step("A", "item", List.of(), Map.of("id", "x")))));
            plan.put("callbackUrl", url);
            as(api, owner.apiKey()).body(plan).post("/v1/runs").then().statusCode(400).body("errors[0].source.pointer",
                    equalTo("/callbackUrl"));
        }
        assertEquals(before, runCount(owner.id()), "nothing was accepted");

        // a host name passes when written; it resolves to 127.0.0.1, refused right before connecting
        String runId = runAsync(canary.baseUrl().replace("127.0.0.1", "localhost") + "/hook", "n1");
        JsonPath failed = delivery(runId, "failed");
        assertEquals(1, failed.getInt("attempts"), "a refused address is not retried");
        assertTrue(failed.getString("attemptHistory[0].error").startsWith("refused:"),
                failed.getString("attemptHistory[0].error"));
        assertTrue(canary.received.isEmpty(), "the canary saw no request");
    }

    @Test
    void killingTheReplicaThatIsSendingDoesNotLoseTheCallback() throws Exception {
        stub.on("/hook/slow", 200, "{}", 2_500);
        String runId = runAsync(stub.baseUrl() + "/hook/slow", "k1");
        awaitCallbacks("/hook/slow", 1);
        List<List<Object>> lease = query(
                "select leased_by, id from api.deliveries where run_id = '" + runId + "' and lease_token is not null");
        assertEquals(1, lease.size(), "the delivery is leased while its attempt is under way");
        long pid = Long.parseLong(((String) lease.get(0).get(0)).split("@")[0]);
        ServiceProcess sending = pid == api.pid() ? api : api2;
        assertEquals(pid, sending.pid(), "a replica of this test holds the lease");
        sending.kill9();
        try {
            Awaitility.await("the survivor delivers").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250)).until(() -> "succeeded".equals(
                            query("select state from api.deliveries where run_id = '" + runId + "'").get(0).get(0)));
            List<Stub.Received> received = stub.receivedUnder("/hook/slow");
            assertTrue(received.size() >= 2, "sent again after the kill");
            assertEquals(1, received.stream().map(r -> r.header("webhook-id")).distinct().count(),
                    "with the same webhook-id");
            assertEquals(lease.get(0).get(1).toString(), received.get(0).header("webhook-id"));
        } finally {
            // the other tests use both replicas
            ServiceProcess restarted = ServiceProcess
                    .api(sending == api ? "api-callbacks-1b" : "api-callbacks-2b", topics.apiEnv(API_ENV)).start();
            if (sending == api) {
                api = restarted;
            } else {
                api2 = restarted;
            }
        }
    }

    @Test
    void retryAfterIsHonouredAndRedirectsAreNeverFollowed() throws Exception {
        stub.once("/hook/busy", 429, "{}", Map.of("Retry-After", "2"));
        String runId = runAsync(stub.baseUrl() + "/hook/busy", "ra");
        List<Stub.Received> attempts = awaitCallbacks("/hook/busy", 2);
        long gapMillis = (attempts.get(1).startedNanos() - attempts.get(0).startedNanos()) / 1_000_000;
        assertTrue(gapMillis >= 1_900, "the second attempt waited for Retry-After (2 s), not 300 ms: " + gapMillis);
        assertEquals(List.of(429, 200), delivery(runId, "succeeded").getList("attemptHistory.statusCode"));

        // a receiver that redirects (here to a loopback address this deployment refuses) is not followed
        stub.on("/hook/moved", 302, "{}", 0);
        stub.once("/hook/moved", 302, "{}", Map.of("Location", canary.baseUrl() + "/metadata"));
        String moved = runAsync(stub.baseUrl() + "/hook/moved", "mv");
        JsonPath failed = delivery(moved, "failed");
        assertEquals(302, failed.getInt("attemptHistory[0].statusCode"));
        assertTrue(canary.received.isEmpty(), "the redirect target saw no request");
    }

    @Test
    void fiftyConcurrentRequestsWithOneKeyAcrossTwoReplicasMakeOneRunOneCommandOneCall() throws Exception {
        String key = UUID.randomUUID().toString();
        String itemId = "idem-" + UUID.randomUUID();
        Map<String, Object> body = Map.of("key", "item", "userId", "u", "input", Map.of("id", itemId));
        long before = runCount(owner.id());
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(50);
        Set<String> runIds = new java.util.HashSet<>();
        try {
            List<java.util.concurrent.Future<io.restassured.response.Response>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ServiceProcess replica = i % 2 == 0 ? api : api2;
                answers.add(clients.submit(() -> as(replica, owner.apiKey()).header("Idempotency-Key", key).body(body)
                        .post("/v1/actions/run")));
            }
            for (var answer : answers) {
                io.restassured.response.Response response = answer.get();
                assertTrue(response.statusCode() == 200 || response.statusCode() == 409,
                        response.statusCode() + " " + response.asString());
                if (response.statusCode() == 200) {
                    runIds.add(response.path("runId"));
                }
            }
        } finally {
            clients.shutdownNow();
        }
        assertEquals(1, runIds.size(), "every 200 names the same run");
        assertEquals(before + 1, runCount(owner.id()), "one run");
        assertEquals(1, stub.receivedUnder("/item/" + itemId).size(), "one integration call");
        String runId = runIds.iterator().next();
        assertEquals(1, topics.commandsFor(runId), "one command on Kafka");
    }
}

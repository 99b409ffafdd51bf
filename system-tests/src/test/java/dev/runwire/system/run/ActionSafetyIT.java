package dev.runwire.system.run;

import static dev.runwire.system.support.Plans.create;
import static dev.runwire.system.support.Plans.finished;
import static dev.runwire.system.support.Plans.runBody;
import static dev.runwire.system.support.Plans.step;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Action safety declared once (docs/adr/0035): the declaration on action versions, a non-idempotent call that may have
 * reached its provider never repeated but left "outcome unknown" until its caller resolves it, and idempotent actions
 * (or providers that honour the key) retried with their one key.
 */
class ActionSafetyIT {

    private static final String CHARGED = "{\"chargeId\":\"ch_1\",\"amount\":5}";

    @NewStub
    static Stub stub;
    @SharedApi
    static ServiceProcess api;
    @NewOwner
    static Owner owner;
    static String key;

    @BeforeAll
    static void setUp() {
        key = owner.apiKey();
        integration(api, key, "stub", stub.baseUrl());
        integration(api, key, "closed", "http://127.0.0.1:" + ServiceProcess.freePort());
        // never answers within the action's timeout
        stub.on("/charge/", 200, CHARGED, 4_000);
        stub.on("/notify/", 200, "{\"sent\":true}", 0);
        // a non-idempotent charge, with a retry policy it must not use after a timeout
        action("charge", "stub", "/charge/{id}",
                Map.of("sideEffects", "non_idempotent", "retry", Map.of("maxAttempts", 3, "backoffMs", 50)));
        action("notify", "stub", "/notify/{id}", Map.of("sideEffects", "non_idempotent"));
        action("refused", "closed", "/x/{id}",
                Map.of("sideEffects", "non_idempotent", "retry", Map.of("maxAttempts", 2, "backoffMs", 50)));
    }

    /** A POST action on {@code path} with a 500 ms timeout, output {@code {chargeId, amount}} or anything. */
    private static void action(String actionKey, String integrationKey, String path, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of("key", actionKey, "intent", "Charge a card", "inputSchema",
                Map.of("type", "object", "properties", Map.of("id", Map.of("type", "string")), "required",
                        List.of("id")),
                "type", "http", "http", Map.of("integrationKey", integrationKey, "method", "POST", "path", path),
                "timeoutMs", 500));
        if ("charge".equals(actionKey)) {
            body.put("outputSchema",
                    Map.of("type", "object", "properties",
                            Map.of("chargeId", Map.of("type", "string"), "amount", Map.of("type", "number")),
                            "required", List.of("chargeId")));
        }
        body.putAll(extra);
        as(api, key).body(body).post("/v1/actions").then().statusCode(201);
    }

    private static String asyncRun(String owner, String action, String id) {
        return as(api, owner).body(Map.of("key", action, "userId", "u", "input", Map.of("id", id), "async", true))
                .post("/v1/actions/run").then().statusCode(202).extract().path("runId");
    }

    /** Waits until the run waits for a resolution and returns it with its events. */
    private static JsonPath outcomeUnknown(String runId) {
        Awaitility.await("run " + runId + " waits for a resolution").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").then().extract().jsonPath()
                        .getList("events.type").contains("STEP_OUTCOME_UNKNOWN")
                        && "PAUSED".equals(as(api, key).get("/v1/runs/" + runId).then().extract().path("status")));
        return as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").then().statusCode(200).extract()
                .jsonPath();
    }

    private static long resolutions(String runId) throws Exception {
        return (long) query("select count(*) from api.outcome_resolutions where run_id = '" + runId + "'").get(0)
                .get(0);
    }

    @Test
    void declarationsHaveSafeDefaultsAndAreShown() {
        as(api, key)
                .body(Map.of("key", "plain", "intent", "x", "type", "http", "http",
                        Map.of("integrationKey", "stub", "method", "POST", "path", "/p")))
                .post("/v1/actions").then().statusCode(201).body("sideEffects", equalTo("non_idempotent"))
                .body("destructive", equalTo(true)).body("acceptsIdempotencyKey", equalTo(false));
        as(api, key)
                .body(Map.of("key", "lookup", "intent", "x", "type", "http", "sideEffects", "none", "http",
                        Map.of("integrationKey", "stub", "method", "GET", "path", "/p")))
                .post("/v1/actions").then().statusCode(201);
        as(api, key).get("/v1/actions/lookup").then().statusCode(200).body("sideEffects", equalTo("none"))
                .body("destructive", equalTo(false)).body("acceptsIdempotencyKey", equalTo(false));
        // a new version declares otherwise; the listing shows the newest
        as(api, key)
                .body(Map.of("intent", "x", "type", "http", "sideEffects", "idempotent", "destructive", true,
                        "acceptsIdempotencyKey", true, "http",
                        Map.of("integrationKey", "stub", "method", "PUT", "path", "/p")))
                .put("/v1/actions/lookup").then().statusCode(200).body("version", equalTo(2))
                .body("sideEffects", equalTo("idempotent")).body("destructive", equalTo(true))
                .body("acceptsIdempotencyKey", equalTo(true));
        as(api, key).get("/v1/actions/lookup?version=1").then().statusCode(200).body("sideEffects", equalTo("none"));
    }

    @Test
    void badDeclarationsAreRefusedWithPointersAndWriteNothing() throws Exception {
        Map<String, Object> http = Map.of("integrationKey", "stub", "method", "POST", "path", "/p");
        for (Object[] bad : new Object[][] { { "sideEffects", "sometimes", "/sideEffects" },
                { "sideEffects", 1, "/sideEffects" }, { "sideEffects", "NONE", "/sideEffects" },
                { "destructive", "yes", "/destructive" }, { "destructive", 1, "/destructive" },
                { "acceptsIdempotencyKey", "true", "/acceptsIdempotencyKey" },
                { "acceptsIdempotencyKey", List.of(true), "/acceptsIdempotencyKey" } }) {
            String actionKey = "bad-" + UUID.randomUUID();
            as(api, key).body(Map.of("key", actionKey, "intent", "x", "http", http, bad[0], bad[1])).post("/v1/actions")
                    .then().statusCode(422).body("errors[0].source.pointer", equalTo(bad[2]));
            as(api, key).get("/v1/actions/" + actionKey).then().statusCode(404);
            // and no new version of an existing action
            as(api, key).body(Map.of("intent", "x", "http", http, bad[0], bad[1])).put("/v1/actions/notify").then()
                    .statusCode(422).body("errors[0].source.pointer", equalTo(bad[2]));
            as(api, key).get("/v1/actions/notify").then().body("version", equalTo(1));
        }
    }

    @Test
    void aNonIdempotentCallThatTimesOutIsMadeOnceAndResolvedSucceeded() throws Exception {
        String runId = asyncRun(key, "charge", "s1");
        JsonPath run = outcomeUnknown(runId);
        assertEquals("outcome_unknown", run.getString("events.find { it.type == 'STEP_OUTCOME_UNKNOWN' }.error.code"));
        assertTrue(run.getList("events.type").stream().noneMatch("STEP_RETRYING"::equals), "never retried");
        // the retry policy would have called again after 50 ms: give it time to (wrongly) do so
        Awaitility.await().pollDelay(Duration.ofSeconds(2)).until(() -> true);
        assertEquals(1, stub.receivedUnder("/charge/s1").size(), "called exactly once");

        // bad resolutions change nothing
        as(api, key).body("{}").post("/v1/runs/" + runId + "/resolve").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/outcome"));
        as(api, key).body(Map.of("outcome", "maybe")).post("/v1/runs/" + runId + "/resolve").then().statusCode(422);
        as(api, key).body(Map.of("outcome", "succeeded")).post("/v1/runs/" + runId + "/resolve").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/output"));
        as(api, key).body(Map.of("outcome", "succeeded", "output", Map.of("amount", "five")))
                .post("/v1/runs/" + runId + "/resolve").then().statusCode(422)
                .body("errors.source.pointer", hasItem(startsWith("/output")));
        as(api, key).body(Map.of("outcome", "failed", "output", Map.of())).post("/v1/runs/" + runId + "/resolve").then()
                .statusCode(422);
        as(api, key).body(Map.of("outcome", "failed", "stepId", "nope")).post("/v1/runs/" + runId + "/resolve").then()
                .statusCode(409);
        as(api, key).body("[1]").post("/v1/runs/" + runId + "/resolve").then().statusCode(422);
        as(api, key).body("{").post("/v1/runs/" + runId + "/resolve").then().statusCode(400);
        // another owner's run is not there; nor is an unknown one
        Owner other = owner(api);
        as(api, other.apiKey()).body(Map.of("outcome", "failed")).post("/v1/runs/" + runId + "/resolve").then()
                .statusCode(404);
        as(api, key).body(Map.of("outcome", "failed")).post("/v1/runs/" + UUID.randomUUID() + "/resolve").then()
                .statusCode(404);
        as(api, key).body(Map.of("outcome", "failed")).post("/v1/runs/not-a-uuid/resolve").then().statusCode(404);
        assertEquals(0, resolutions(runId));
        assertEquals("PAUSED", as(api, key).get("/v1/runs/" + runId).then().extract().path("status"));

        as(api, key).body(Map.of("outcome", "succeeded", "output", Map.of("chargeId", "ch_1", "amount", 5)))
                .post("/v1/runs/" + runId + "/resolve").then().statusCode(202).body("stepId", equalTo("step-1"))
                .body("outcome", equalTo("succeeded"));
        JsonPath done = finished(api, key, runId);
        assertEquals("SUCCESS", done.getString("status"));
        assertEquals(Map.of("chargeId", "ch_1", "amount", 5), done.getMap("result"));
        // once: a second resolution, either way, is a conflict
        as(api, key).body(Map.of("outcome", "failed")).post("/v1/runs/" + runId + "/resolve").then().statusCode(409)
                .body("errors[0].code", equalTo("not_awaiting_resolution"));
        assertEquals(1, resolutions(runId));
        assertEquals(1, stub.receivedUnder("/charge/s1").size());
    }

    @Test
    void aPlanGoesOnAfterItsUnknownStepIsResolvedAndAFailedResolutionSkipsItsDependents() {
        String resolvedOk = create(api, key, runBody(List.of(step("A", "charge", List.of(), Map.of("id", "p1")),
                step("B", "notify", List.of("A"), Map.of("id", "p1")))));
        outcomeUnknown(resolvedOk);
        as(api, key).body(Map.of("outcome", "succeeded", "stepId", "A", "output", Map.of("chargeId", "ch_2")))
                .post("/v1/runs/" + resolvedOk + "/resolve").then().statusCode(202);
        JsonPath done = finished(api, key, resolvedOk);
        assertEquals("SUCCESS", done.getString("status"));
        assertEquals("ch_2", done.getString("result.A.chargeId"));
        assertEquals(1, stub.receivedUnder("/notify/p1").size(), "the next step ran");

        String resolvedFailed = create(api, key, runBody(List.of(step("A", "charge", List.of(), Map.of("id", "p2")),
                step("B", "notify", List.of("A"), Map.of("id", "p2")))));
        outcomeUnknown(resolvedFailed);
        as(api, key).body(Map.of("outcome", "failed")).post("/v1/runs/" + resolvedFailed + "/resolve").then()
                .statusCode(202);
        JsonPath failed = finished(api, key, resolvedFailed);
        assertEquals("NO_SUCCESS", failed.getString("status"));
        assertEquals("resolved_failed", failed.getString("events.find { it.type == 'STEP_FAILED' }.error.code"));
        assertEquals(List.of("B"), failed.getList("events.findAll { it.type == 'STEP_SKIPPED' }.stepId"));
        assertEquals(0, stub.receivedUnder("/notify/p2").size());
        assertEquals(1, stub.receivedUnder("/charge/p2").size());
    }

    @Test
    void aRunThatDoesNotWaitForAResolutionRefusesOne() {
        String runId = asyncRun(key, "notify", "n1");
        finished(api, key, runId);
        as(api, key).body(Map.of("outcome", "failed")).post("/v1/runs/" + runId + "/resolve").then().statusCode(409)
                .body("errors[0].code", equalTo("not_awaiting_resolution"));
    }

    @Test
    void aCallRefusedBeforeAnythingWasSentIsRetriedEvenWhenNotIdempotent() {
        String runId = asyncRun(key, "refused", "r1");
        JsonPath done = finished(api, key, runId);
        assertEquals("FAILED", done.getString("status"));
        assertEquals("integration_unreachable", done.getString("error.code"));
        assertEquals(1, done.getList("events.findAll { it.type == 'STEP_RETRYING' }").size());
    }

    @Test
    void idempotentActionsAndProvidersThatHonourTheKeyAreRetriedWithTheirKey() {
        for (Map<String, Object> declared : List.<Map<String, Object>> of(Map.of("sideEffects", "idempotent"),
                Map.of("sideEffects", "non_idempotent", "acceptsIdempotencyKey", true))) {
            String actionKey = "retried-" + UUID.randomUUID();
            String path = "/retried/" + actionKey + "/";
            Map<String, Object> extra = new HashMap<>(declared);
            extra.put("retry", Map.of("maxAttempts", 3, "backoffMs", 50));
            action(actionKey, "stub", path + "{id}", extra);
            // the first attempt times out (the integration may have acted), the second answers
            stub.once(path, 200, "{\"late\":true}", 2_000);
            stub.on(path, 200, "{\"ok\":true}", 0);
            String runId = asyncRun(key, actionKey, "i1");
            JsonPath done = finished(api, key, runId);
            assertEquals("SUCCESS", done.getString("status"), declared.toString());
            List<Stub.Received> calls = stub.receivedUnder(path);
            assertEquals(2, calls.size(), declared.toString());
            assertEquals(1, calls.stream().map(c -> c.header("Idempotency-Key")).distinct().count(), "one key");
            assertEquals(1, done.getList("events.findAll { it.type == 'STEP_RETRYING' }").size());
        }
    }

    private static void approvalPolicy(Owner who, Object value, int status) {
        io.restassured.RestAssured.given().baseUri(api.url()).contentType("application/json")
                .header("Authorization", "Bearer " + dev.runwire.system.support.SystemUnderTest.ADMIN_TOKEN)
                .body(java.util.Collections.singletonMap("approvalForDestructive", value))
                .put("/admin/owners/" + who.id() + "/approval-policy").then().statusCode(status);
    }

    /** Waits until the run asks approval for its step, and returns the approve token its event carries. */
    private static String awaitApprovalRequest(String apiKey, String runId) {
        Awaitility.await("run " + runId + " asks approval").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> as(api, apiKey).get("/v1/runs/" + runId + "?includeEvents=true").then().extract()
                        .jsonPath().getList("events.type").contains("STEP_APPROVAL_REQUESTED"));
        JsonPath run = as(api, apiKey).get("/v1/runs/" + runId + "?includeEvents=true").then().extract().jsonPath();
        assertEquals("PAUSED", run.getString("status"));
        return run.getString("events.find { it.type == 'STEP_APPROVAL_REQUESTED' }.approval.approveToken");
    }

    @Test
    void anOwnersPolicyMakesDestructiveActionsWaitForApprovalOnEverySurface() {
        Owner strict = owner(api);
        integration(api, strict.apiKey(), "stub", stub.baseUrl());
        stub.on("/delete/", 200, "{\"deleted\":true}", 0);
        stub.on("/read/", 200, "{\"id\":\"r\"}", 0);
        as(api, strict.apiKey())
                .body(Map.of("key", "delete_item", "intent", "Delete an item", "type", "http", "http",
                        Map.of("integrationKey", "stub", "method", "DELETE", "path", "/delete/{id}")))
                .post("/v1/actions").then().statusCode(201).body("destructive", equalTo(true));
        as(api, strict.apiKey())
                .body(Map.of("key", "read_item", "intent", "Read an item", "type", "http", "sideEffects", "none",
                        "http", Map.of("integrationKey", "stub", "method", "GET", "path", "/read/{id}")))
                .post("/v1/actions").then().statusCode(201);
        // bad settings are refused and change nothing; an unknown owner is not there
        approvalPolicy(strict, "sometimes", 422);
        approvalPolicy(strict, true, 422);
        io.restassured.RestAssured.given().baseUri(api.url()).contentType("application/json")
                .header("Authorization", "Bearer " + dev.runwire.system.support.SystemUnderTest.ADMIN_TOKEN)
                .body(Map.of("approvalForDestructive", "always"))
                .put("/admin/owners/" + UUID.randomUUID() + "/approval-policy").then().statusCode(404);
        io.restassured.RestAssured.given().baseUri(api.url()).contentType("application/json")
                .body(Map.of("approvalForDestructive", "always"))
                .put("/admin/owners/" + strict.id() + "/approval-policy").then().statusCode(401);
        String before = asyncRun(strict.apiKey(), "delete_item", "d0");
        assertEquals("SUCCESS", finished(api, strict.apiKey(), before).getString("status"), "no policy yet");

        approvalPolicy(strict, "always", 200);
        // the native surface, with no approval strategy asked
        String nativeRun = asyncRun(strict.apiKey(), "delete_item", "d1");
        String token = awaitApprovalRequest(strict.apiKey(), nativeRun);
        assertEquals(0, stub.receivedUnder("/delete/d1").size(), "nothing is called before the approval");
        as(api, strict.apiKey()).get("/v1/runs/approval?token=" + token).then().statusCode(201);
        assertEquals("SUCCESS", finished(api, strict.apiKey(), nativeRun).getString("status"));
        assertEquals(1, stub.receivedUnder("/delete/d1").size());
        // a read-only action does not wait
        assertEquals("SUCCESS",
                finished(api, strict.apiKey(), asyncRun(strict.apiKey(), "read_item", "r1")).getString("status"));

        // Zapier's surface
        String zapierRun = io.restassured.RestAssured.given().baseUri(api.url()).contentType("application/json")
                .header("Authorization", "Bearer " + strict.apiKey())
                .body(Map.of("data",
                        Map.of("action", "delete_item", "selected_api", "stub", "inputs", Map.of("id", "d2"))))
                .post("/actions/v1/runs").then().statusCode(202).extract().path("data.id");
        String zapierToken = awaitApprovalRequest(strict.apiKey(), zapierRun);
        assertEquals(0, stub.receivedUnder("/delete/d2").size());
        as(api, strict.apiKey()).get("/v1/runs/approval?token=" + zapierToken).then().statusCode(201);
        assertEquals("SUCCESS", finished(api, strict.apiKey(), zapierRun).getString("status"));
        assertEquals(1, stub.receivedUnder("/delete/d2").size());

        // back to the request's own strategy
        approvalPolicy(strict, "default", 200);
        assertEquals("SUCCESS",
                finished(api, strict.apiKey(), asyncRun(strict.apiKey(), "delete_item", "d3")).getString("status"));
    }
}

package dev.runwire.system.surface;

import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.ownerWithActions;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;
import dev.runwire.system.support.WebhookVerifier;

/**
 * Zapier's Actions API, request by request as its documentation shows it: stored actions (create, list, read, update,
 * delete), running one asynchronously with inputs merged over the stored ones, polling the run, the callback with the
 * body of that poll, {@code idempotency_id}, one-off runs, and the documented errors. Clients authenticate with
 * {@code Authorization: Bearer}, as Zapier's do.
 */
class ZapierIT {

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stub;
    @NewOwner(actions = { "item", "broken" })
    static Owner owner;

    @BeforeAll
    static void answers() {
        stub.on("/item/", 200, "{\"id\":\"i\",\"price\":2}", 0);
        stub.on("/broken/", 500, "{\"error\":\"down\"}", 0);
        stub.on("/hook/", 200, "{}", 0);
    }

    static io.restassured.specification.RequestSpecification zapier(Owner who) {
        return io.restassured.RestAssured.given().baseUri(api.url()).contentType("application/json")
                .header("Authorization", "Bearer " + who.apiKey());
    }

    static String createStored(Owner who, String actionKey, Map<String, Object> inputs) {
        return zapier(who)
                .body(Map.of("data",
                        Map.of("selected_api", "stub", "action_type", "write", "action_key", actionKey, "inputs",
                                inputs, "title", "Get an item")))
                .post("/actions/v1/stored-actions").then().statusCode(201).extract().path("data.id");
    }

    static JsonPath awaitResult(String path) {
        Awaitility.await(path).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> !"waiting".equals(
                        zapier(owner).get(path).then().statusCode(200).extract().jsonPath().getString("status")));
        return zapier(owner).get(path).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void theStoredActionFlowAsZapierDocumentsIt() throws Exception {
        // create
        JsonPath created = zapier(owner)
                .body(Map.of("data",
                        Map.of("selected_api", "stub", "action_type", "write", "action_key", "item", "inputs",
                                Map.of("id", "preset", "q", "preset-q"), "title", "Get an item")))
                .post("/actions/v1/stored-actions").then().statusCode(201).extract().jsonPath();
        String id = created.getString("data.id");
        assertEquals(Set.of("type", "id", "selected_api", "action_type", "action_key", "connection_id", "title",
                "inputs", "created_at", "updated_at"), created.getMap("data").keySet());
        assertEquals("stored_action", created.getString("data.type"));
        assertEquals("item", created.getString("data.action_key"));
        assertEquals(Map.of("id", "preset", "q", "preset-q"), created.getMap("data.inputs"));
        // list, read, update
        assertTrue(zapier(owner).get("/actions/v1/stored-actions").then().statusCode(200).extract().jsonPath()
                .getList("data.id").contains(id));
        zapier(owner).get("/actions/v1/stored-actions/" + id).then().statusCode(200).body("data.id", equalTo(id))
                .body("data.title", equalTo("Get an item"));
        zapier(owner).body(Map.of("data", Map.of("title", "Renamed"))).patch("/actions/v1/stored-actions/" + id).then()
                .statusCode(200).body("data.title", equalTo("Renamed")).body("data.inputs.q", equalTo("preset-q"));

        // run: the example request of Zapier's Actions API; the answer is exactly {data: {type, id}}
        Response accepted = zapier(owner).body(Map.of("data", Map.of("inputs", Map.of("id", "given"), "page", "0")))
                .post("/actions/v1/stored-actions/" + id + "/run");
        accepted.then().statusCode(202).header("Content-Type", "application/json;charset=UTF-8");
        JsonPath run = accepted.jsonPath();
        assertEquals(Map.of("type", "run", "id", run.getString("data.id")), run.getMap("data"));
        assertEquals(Set.of("data"), run.getMap("").keySet());
        String runId = run.getString("data.id");
        UUID.fromString(runId);

        JsonPath result = awaitResult("/actions/v1/stored-actions/" + id + "/runs/" + runId);
        assertEquals(
                Map.of("type", "run", "id", runId, "status", "success", "results",
                        List.of(Map.of("id", "i", "price", 2)), "next_page", "0", "errors", List.of()),
                result.getMap(""));
        List<Stub.Received> calls = stub.receivedUnder("/item/given");
        assertEquals(1, calls.size(), "the run's inputs merged over the stored ones");
        assertEquals("q=preset-q", calls.get(0).query());

        // delete
        zapier(owner).delete("/actions/v1/stored-actions/" + id).then().statusCode(204);
        zapier(owner).get("/actions/v1/stored-actions/" + id).then().statusCode(404).body("errors[0].status",
                equalTo(404));
    }

    @Test
    void aCallbackCarriesWhatThePollShows() throws Exception {
        String id = createStored(owner, "item", Map.of("id", "cb"));
        String runId = zapier(owner)
                .body(Map.of("data", Map.of("inputs", Map.of(), "callback_url", stub.baseUrl() + "/hook/zapier")))
                .post("/actions/v1/stored-actions/" + id + "/run").then().statusCode(202).extract().path("data.id");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !stub.receivedUnder("/hook/zapier").isEmpty());
        Stub.Received callback = stub.receivedUnder("/hook/zapier").get(0);
        assertNotNull(callback.header("webhook-id"));
        String secret = as(api, owner.apiKey()).get("/v1/webhook-secret").then().extract().path("secret");
        assertTrue(WebhookVerifier.verify(secret, callback));
        JsonPath polled = awaitResult("/actions/v1/stored-actions/" + id + "/runs/" + runId);
        assertEquals(polled.getMap(""), JsonPath.from(callback.body()).getMap(""));
    }

    @Test
    void aFailedActionIsAnErrorStatusInA200() {
        String id = createStored(owner, "broken", Map.of("id", "b"));
        String runId = zapier(owner).body(Map.of("data", Map.of())).post("/actions/v1/stored-actions/" + id + "/run")
                .then().statusCode(202).extract().path("data.id");
        JsonPath result = awaitResult("/actions/v1/stored-actions/" + id + "/runs/" + runId);
        assertEquals("error", result.getString("status"));
        assertEquals(List.of(), result.getList("results"));
        assertEquals("integration_http_error", result.getString("errors[0].code"));
        assertEquals(500, result.getInt("errors[0].status"));
    }

    @Test
    void idempotencyIdReplaysTheFirstAnswer() throws Exception {
        String id = createStored(owner, "item", Map.of("id", "idem"));
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = Map.of("data", Map.of("inputs", Map.of("q", "1"), "idempotency_id", key));
        long before = runCount(owner.id());
        String first = zapier(owner).body(body).post("/actions/v1/stored-actions/" + id + "/run").then().statusCode(202)
                .extract().path("data.id");
        zapier(owner).body(body).post("/actions/v1/stored-actions/" + id + "/run").then().statusCode(202)
                .header("Idempotent-Replayed", "true").body("data.id", equalTo(first));
        assertEquals(before + 1, runCount(owner.id()));
        // Zapier's Actions API: "the second request will be ignored and the original response returned", whatever its
        // body
        zapier(owner).body(Map.of("data", Map.of("inputs", Map.of("q", "2"), "idempotency_id", key)))
                .post("/actions/v1/stored-actions/" + id + "/run").then().statusCode(202)
                .header("Idempotent-Replayed", "true").body("data.id", equalTo(first));
        assertEquals(before + 1, runCount(owner.id()), "the other body started nothing");
        // the same id from another owner is another request
        Owner other = ownerWithActions(api, stub, "item");
        String theirs = createStored(other, "item", Map.of("id", "idem"));
        zapier(other).body(body).post("/actions/v1/stored-actions/" + theirs + "/run").then().statusCode(202);
    }

    @Test
    void concurrentRepeatsOfAnIdempotencyIdAllGetTheOriginalResponse() throws Exception {
        String id = createStored(owner, "item", Map.of("id", "idem-race"));
        String key = UUID.randomUUID().toString();
        long before = runCount(owner.id());
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<Response>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                // each with another body: Zapier's Actions API ignores the repeat whatever it holds
                Map<String, Object> body = Map.of("data",
                        Map.of("inputs", Map.of("q", "n" + i), "idempotency_id", key));
                answers.add(clients
                        .submit(() -> zapier(owner).body(body).post("/actions/v1/stored-actions/" + id + "/run")));
            }
            Set<String> runIds = new java.util.HashSet<>();
            for (var answer : answers) {
                Response response = answer.get();
                assertEquals(202, response.statusCode(), response.asString());
                runIds.add(response.path("data.id"));
            }
            assertEquals(1, runIds.size(), "one run for all of them: " + runIds);
        } finally {
            clients.shutdownNow();
        }
        assertEquals(before + 1, runCount(owner.id()));
    }

    @Test
    void theDocumentedErrors() throws Exception {
        String id = createStored(owner, "item", Map.of("id", "e"));
        long before = runCount(owner.id());
        // inputs that break the action's schema: 400 pointing at the input
        zapier(owner).body(Map.of("data", Map.of("inputs", Map.of("id", 5))))
                .post("/actions/v1/stored-actions/" + id + "/run").then().statusCode(400)
                .body("errors[0].status", equalTo(400)).body("errors[0].code", equalTo("input_invalid"))
                .body("errors[0].source.pointer", equalTo("/data/inputs/id"));
        zapier(owner).body(Map.of("data", Map.of("idempotency_id", "not-a-uuid")))
                .post("/actions/v1/stored-actions/" + id + "/run").then().statusCode(400)
                .body("errors[0].source.pointer", equalTo("/data/idempotency_id"));
        zapier(owner).body(Map.of("data", Map.of("callback_url", "http://169.254.169.254/latest")))
                .post("/actions/v1/stored-actions/" + id + "/run").then().statusCode(400)
                .body("errors[0].source.pointer", equalTo("/data/callback_url"));
        zapier(owner).body("{\"data\": ").post("/actions/v1/stored-actions/" + id + "/run").then().statusCode(400);
        zapier(owner).body(Map.of("data", Map.of("selected_api", "stub", "action_key", "nope")))
                .post("/actions/v1/stored-actions").then().statusCode(400)
                .body("errors[0].source.pointer", equalTo("/data/action_key"));
        zapier(owner).body(Map.of("data", Map.of("selected_api", "other", "action_key", "item")))
                .post("/actions/v1/stored-actions").then().statusCode(400)
                .body("errors[0].source.pointer", equalTo("/data/selected_api"));
        zapier(owner).body(Map.of("data", Map.of("action_key", "item"))).post("/actions/v1/stored-actions").then()
                .statusCode(400).body("errors[0].source.pointer", equalTo("/data/selected_api"));
        String unknown = UUID.randomUUID().toString();
        zapier(owner).body(Map.of("data", Map.of())).post("/actions/v1/stored-actions/" + unknown + "/run").then()
                .statusCode(404).body("errors[0].code", equalTo("not_found"));
        zapier(owner).get("/actions/v1/stored-actions/" + id + "/runs/" + unknown).then().statusCode(404);
        assertEquals(before, runCount(owner.id()), "no refused request started a run");
        // the only refusal of a caller Zapier's Actions API documents: 403 "Permission denied. Unauthorized request."
        io.restassured.RestAssured.given().baseUri(api.url()).get("/actions/v1/stored-actions").then().statusCode(403)
                .body("errors[0].status", equalTo(403)).body("errors[0].code", equalTo("permission_denied"));
        io.restassured.RestAssured.given().baseUri(api.url()).header("Authorization", "Bearer rw_not_a_key")
                .contentType("application/json").body(Map.of("data", Map.of()))
                .post("/actions/v1/stored-actions/" + id + "/run").then().statusCode(403)
                .body("errors[0].code", equalTo("permission_denied"))
                .body("errors[0].detail", org.hamcrest.Matchers.startsWith("Permission denied. Unauthorized request"));
        assertEquals(before, runCount(owner.id()));
    }

    @Test
    void anotherOwnersStoredActionsAndRunsAreNotFound() {
        String id = createStored(owner, "item", Map.of("id", "t"));
        String runId = zapier(owner).body(Map.of("data", Map.of())).post("/actions/v1/stored-actions/" + id + "/run")
                .then().statusCode(202).extract().path("data.id");
        Owner other = owner(api);
        zapier(other).get("/actions/v1/stored-actions/" + id).then().statusCode(404);
        zapier(other).body(Map.of("data", Map.of("title", "x"))).patch("/actions/v1/stored-actions/" + id).then()
                .statusCode(404);
        zapier(other).body(Map.of("data", Map.of())).post("/actions/v1/stored-actions/" + id + "/run").then()
                .statusCode(404);
        zapier(other).get("/actions/v1/stored-actions/" + id + "/runs/" + runId).then().statusCode(404);
        zapier(other).get("/actions/v1/runs/" + runId).then().statusCode(404);
        zapier(other).delete("/actions/v1/stored-actions/" + id).then().statusCode(404);
        assertTrue(zapier(other).get("/actions/v1/stored-actions").then().statusCode(200).extract().jsonPath()
                .getList("data").isEmpty());
        zapier(owner).get("/actions/v1/stored-actions/" + id).then().statusCode(200);
    }

    @Test
    void aOneOffActionRun() {
        JsonPath accepted = zapier(owner)
                .body(Map.of("data", Map.of("action", "item", "selected_api", "stub", "inputs", Map.of("id", "one"))))
                .post("/actions/v1/runs").then().statusCode(202).extract().jsonPath();
        String runId = accepted.getString("data.id");
        assertEquals(Map.of("type", "run", "id", runId), accepted.getMap("data"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !"waiting"
                .equals(zapier(owner).get("/actions/v1/runs/" + runId).then().extract().path("data.status")));
        JsonPath result = zapier(owner).get("/actions/v1/runs/" + runId).then().statusCode(200).extract().jsonPath();
        assertEquals("success", result.getString("data.status"));
        assertEquals(List.of(Map.of("id", "i", "price", 2)), result.getList("data.results"));
        zapier(owner).body(Map.of("data", Map.of("inputs", Map.of("id", "x")))).post("/actions/v1/runs").then()
                .statusCode(400).body("errors[0].source.pointer", equalTo("/data/action"));
        zapier(owner).body(Map.of("data", Map.of("action", "nope"))).post("/actions/v1/runs").then().statusCode(404);
    }
}

package dev.runwire.system.run;

import static dev.runwire.system.support.SystemUnderTest.ADMIN_TOKEN;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.ownerWithActions;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Task billing: an owner with a balance pays one task per successful run; with none left, run requests get the runs
 * API's 402; a run that fails gives its task back; a retried step, a replayed request or a redelivered event never
 * charges twice; the ledger says what happened.
 */
class BillingIT {

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stub;

    @BeforeAll
    static void answers() {
        stub.on("/item/", 200, "{\"id\":\"i\",\"price\":2}", 0);
        stub.on("/broken/", 404, "{\"error\":\"no\"}", 0);
    }

    static void credit(Owner owner, int tasks) {
        RestAssured.given().baseUri(api.url()).contentType("application/json")
                .header("Authorization", "Bearer " + ADMIN_TOKEN).body(Map.of("tasks", tasks, "note", "test"))
                .post("/admin/owners/" + owner.id() + "/tasks").then().statusCode(200);
    }

    static JsonPath account(Owner owner) {
        return as(api, owner.apiKey()).get("/v1/billing").then().statusCode(200).extract().jsonPath();
    }

    static int run(Owner owner, String action, String id) {
        return as(api, owner.apiKey()).body(Map.of("key", action, "userId", "u", "input", Map.of("id", id)))
                .post("/v1/actions/run").statusCode();
    }

    @Test
    void aBalanceOfThreePaysForThreeRunsAndTheNextTwoAre402() throws Exception {
        Owner owner = ownerWithActions(api, stub, "item");
        credit(owner, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, run(owner, "item", "b" + i));
        }
        long runs = runCount(owner.id());
        for (int i = 0; i < 2; i++) {
            as(api, owner.apiKey()).body(Map.of("key", "item", "userId", "u", "input", Map.of("id", "x")))
                    .post("/v1/actions/run").then().statusCode(402).body("errors[0].status", equalTo(402))
                    .body("errors[0].code", equalTo("payment_required"))
                    .body("errors[0].title", equalTo("Payment Required"))
                    .body("errors[0].detail", equalTo("Insufficient tasks on account"));
        }
        assertEquals(runs, runCount(owner.id()), "a refused run writes nothing");
        // the Zapier surface is refused the same way
        String stored = as(api, owner.apiKey())
                .body(Map.of("data", Map.of("selected_api", "stub", "action_key", "item", "inputs", Map.of("id", "z"))))
                .post("/actions/v1/stored-actions").then().statusCode(201).extract().path("data.id");
        as(api, owner.apiKey()).body(Map.of("data", Map.of())).post("/actions/v1/stored-actions/" + stored + "/run")
                .then().statusCode(402).body("errors[0].code", equalTo("payment_required"));
        JsonPath account = account(owner);
        assertEquals(0, account.getLong("balance"));
        assertEquals(List.of("charge", "charge", "charge", "credit"), account.getList("ledger.kind"));
        assertEquals(List.of(0, 1, 2, 3), account.getList("ledger.balanceAfter"));
    }

    @Test
    void aFailedRunGivesItsTaskBackAndRetriesOrReplaysChargeOnce() throws Exception {
        Owner owner = ownerWithActions(api, stub, "item", "broken");
        as(api, owner.apiKey())
                .body(Map.of("key", "flaky", "intent", "Get an item, retried", "inputSchema",
                        Map.of("type", "object", "properties", Map.of("id", Map.of("type", "string"))), "type", "http",
                        "http", Map.of("integrationKey", "stub", "method", "GET", "path", "/flaky/{id}"), "timeoutMs",
                        5_000, "retry", Map.of("maxAttempts", 3, "backoffMs", 50)))
                .post("/v1/actions").then().statusCode(201);
        credit(owner, 2);
        // a failed run takes its task and gives it back
        assertEquals(502, run(owner, "broken", "f"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> account(owner).getLong("balance") == 2);
        // a step retried twice is one run, one task
        String path = "/flaky/" + UUID.randomUUID();
        stub.once(path, 503, "{}");
        stub.once(path, 503, "{}");
        stub.on(path, 200, "{\"id\":\"r\",\"price\":1}", 0);
        assertEquals(200, run(owner, "flaky", path.substring("/flaky/".length())));
        assertEquals(3, stub.receivedUnder(path).size());
        // a replayed request is the same run
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = Map.of("key", "item", "userId", "u", "input", Map.of("id", "idem"));
        as(api, owner.apiKey()).header("Idempotency-Key", key).body(body).post("/v1/actions/run").then()
                .statusCode(200);
        as(api, owner.apiKey()).header("Idempotency-Key", key).body(body).post("/v1/actions/run").then().statusCode(200)
                .header("Idempotent-Replayed", "true");
        JsonPath account = account(owner);
        assertEquals(0, account.getLong("balance"));
        assertEquals(List.of("charge", "charge", "refund", "charge", "credit"), account.getList("ledger.kind"));
        // another owner's ledger is its own
        Owner other = ownerWithActions(api, stub, "item");
        org.junit.jupiter.api.Assertions.assertNull(account(other).get("balance"));
        assertEquals(List.of(), account(other).getList("ledger"));
        assertEquals(200, run(other, "item", "unbilled"), "an owner without a balance is not billed");
        RestAssured.given().baseUri(api.url()).contentType("application/json")
                .header("Authorization", "Bearer " + ADMIN_TOKEN).body(Map.of("tasks", 0))
                .post("/admin/owners/" + owner.id() + "/tasks").then().statusCode(422);
        RestAssured.given().baseUri(api.url()).contentType("application/json").body(Map.of("tasks", 5))
                .post("/admin/owners/" + owner.id() + "/tasks").then().statusCode(401);
    }
}

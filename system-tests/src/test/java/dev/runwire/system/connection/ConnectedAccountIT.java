package dev.runwire.system.connection;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.Plans;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Integrations that authenticate (API key in a header or the query, bearer, basic) and the accounts users connect to
 * them: a run uses the account of its user, put where the scheme says; a user without one gets a 409 that names the
 * integration; accounts are listed and read without their credentials, replaced, revoked, and another owner's are not
 * found.
 */
class ConnectedAccountIT {

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stub;
    @NewOwner
    static Owner owner;

    @BeforeAll
    static void setUp() {
        stub.on("/", 200, "{\"id\":\"i\",\"price\":1}", 0);
        integration("bearer_api", Map.of("type", "bearer"));
        integration("query_api", Map.of("type", "api_key", "in", "query", "name", "api_key"));
        integration("header_api", Map.of("type", "api_key", "name", "X-Api-Key"));
        integration("basic_api", Map.of("type", "basic"));
        for (String name : List.of("bearer_api", "query_api", "header_api", "basic_api")) {
            action(api, owner.apiKey(), name, name, "/" + name, 5_000);
        }
        integration("open_api", Map.of("type", "none"));
        action(api, owner.apiKey(), "open_a", "open_api", "/open_a", 5_000);
        action(api, owner.apiKey(), "open_c", "open_api", "/open_c", 5_000);
    }

    static void integration(String key, Map<String, Object> auth) {
        as(api, owner.apiKey()).body(Map.of("key", key, "name", key, "baseUrl", stub.baseUrl(), "auth", auth))
                .post("/v1/integrations").then().statusCode(201).body("auth.type", equalTo(auth.get("type")));
    }

    static String connect(Owner who, String integrationKey, String userId, Map<String, Object> credentials) {
        String body = as(api, who.apiKey())
                .body(Map.of("integrationKey", integrationKey, "userId", userId, "credentials", credentials))
                .post("/v1/connected-accounts").then().statusCode(201).body("status", equalTo("active"))
                .body("integrationKey", equalTo(integrationKey)).extract().asString();
        credentials.values().forEach(secret -> assertFalse(body.contains(secret.toString()), body));
        return io.restassured.path.json.JsonPath.from(body).getString("id");
    }

    static io.restassured.response.Response run(String action, String userId, String id) {
        return as(api, owner.apiKey()).body(Map.of("key", action, "userId", userId, "input", Map.of("id", id)))
                .post("/v1/actions/run");
    }

    @Test
    void eachSchemePutsTheUsersCredentialsWhereItSays() {
        String token = "tok_" + UUID.randomUUID();
        String key = "key_" + UUID.randomUUID();
        String password = "pw_" + UUID.randomUUID();
        String username = "user_" + UUID.randomUUID();
        connect(owner, "bearer_api", "alice", Map.of("token", token));
        connect(owner, "query_api", "alice", Map.of("apiKey", key));
        connect(owner, "header_api", "alice", Map.of("apiKey", key));
        connect(owner, "basic_api", "alice", Map.of("username", username, "password", password));
        String id = UUID.randomUUID().toString();
        for (String action : List.of("bearer_api", "query_api", "header_api", "basic_api")) {
            run(action, "alice", id).then().statusCode(200);
        }
        assertEquals("Bearer " + token, stub.receivedUnder("/bearer_api/" + id).get(0).header("Authorization"));
        assertTrue(stub.receivedUnder("/query_api/" + id).get(0).query().contains("api_key=" + key));
        assertEquals(key, stub.receivedUnder("/header_api/" + id).get(0).header("X-Api-Key"));
        assertEquals(
                "Basic " + Base64.getEncoder()
                        .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)),
                stub.receivedUnder("/basic_api/" + id).get(0).header("Authorization"));
        // a plan run too
        Map<String, Object> plan = new java.util.HashMap<>(
                Plans.runBody(List.of(Plans.step("A", "bearer_api", List.of(), Map.of("id", "plan-" + id)))));
        plan.put("userId", "alice");
        as(api, owner.apiKey()).body(plan).post("/v1/runs").then().statusCode(201);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> !stub.receivedUnder("/bearer_api/plan-" + id).isEmpty());
        assertEquals("Bearer " + token, stub.receivedUnder("/bearer_api/plan-" + id).get(0).header("Authorization"));
    }

    @Test
    void aUserWithoutAnAccountIsAskedToConnectAndPassThroughDataCoversIt() {
        run("bearer_api", "nobody", "x").then().statusCode(409).body("errors[0].code", equalTo("connection_required"))
                .body("errors[0].meta.integrationKey", equalTo("bearer_api"));
        // the caller's own pass-through credentials need no account
        as(api, owner.apiKey())
                .body(Map.of("key", "bearer_api", "userId", "nobody", "input", Map.of("id", "pt"), "passThrough",
                        List.of(Map.of("customerIntegrationId", "bearer_api", "headers",
                                Map.of("Authorization", "Bearer given")))))
                .post("/v1/actions/run").then().statusCode(200);
        assertEquals("Bearer given", stub.receivedUnder("/bearer_api/pt").get(0).header("Authorization"));
    }

    @Test
    void aPlanRunWaitsInAuthRequiredAndGoesOnAtThatStepWhenTheUserConnects() {
        String tag = UUID.randomUUID().toString();
        Map<String, Object> body = new java.util.HashMap<>(
                Plans.runBody(List.of(Plans.step("A", "open_a", List.of(), Map.of("id", "a-" + tag)),
                        Plans.step("B", "bearer_api", List.of("A"), Map.of("id", "b-" + tag)),
                        Plans.step("C", "open_c", List.of("B"), Map.of("id", "c-" + tag)))));
        body.put("userId", "erin-" + tag);
        String runId = as(api, owner.apiKey()).body(body).post("/v1/runs").then().statusCode(201).extract()
                .path("runId");
        org.awaitility.Awaitility.await("AUTH_REQUIRED").atMost(java.time.Duration.ofSeconds(20))
                .until(() -> "AUTH_REQUIRED"
                        .equals(as(api, owner.apiKey()).get("/v1/runs/" + runId).then().extract().path("status")));
        io.restassured.path.json.JsonPath waiting = as(api, owner.apiKey())
                .get("/v1/runs/" + runId + "?includeEvents=true").then().extract().jsonPath();
        assertEquals("bearer_api",
                waiting.getString("events.find { it.type == 'STEP_AUTH_REQUIRED' }.connect.integrationKey"));
        assertTrue(waiting.getString("events.find { it.type == 'STEP_AUTH_REQUIRED' }.connect.connectUrl")
                .contains("userId=erin-" + tag));
        assertEquals("B", waiting.getString("events.find { it.type == 'STEP_AUTH_REQUIRED' }.stepId"));
        assertTrue(as(api, owner.apiKey()).get("/v1/runs?status=AUTH_REQUIRED&userId=erin-" + tag).then()
                .statusCode(200).extract().jsonPath().getList("runId").contains(runId));
        assertEquals(1, stub.receivedUnder("/open_a/a-" + tag).size());
        assertTrue(stub.receivedUnder("/bearer_api/b-" + tag).isEmpty(), "B waits for the connection");

        String token = "late_" + UUID.randomUUID();
        connect(owner, "bearer_api", "erin-" + tag, Map.of("token", token));
        org.awaitility.Awaitility.await("SUCCESS").atMost(java.time.Duration.ofSeconds(20)).until(() -> "SUCCESS"
                .equals(as(api, owner.apiKey()).get("/v1/runs/" + runId).then().extract().path("status")));
        assertEquals(1, stub.receivedUnder("/open_a/a-" + tag).size(), "A was not run again");
        assertEquals("Bearer " + token, stub.receivedUnder("/bearer_api/b-" + tag).get(0).header("Authorization"));
        assertEquals(1, stub.receivedUnder("/bearer_api/b-" + tag).size());
        assertEquals(1, stub.receivedUnder("/open_c/c-" + tag).size());
        String shown = as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").asString();
        assertFalse(shown.contains(token), "the credentials are not in the run's events");
    }

    @Test
    void accountsAreShownWithoutCredentialsReplacedAndRevoked() {
        String first = connect(owner, "bearer_api", "bob", Map.of("token", "t1-" + UUID.randomUUID()));
        String second = connect(owner, "bearer_api", "bob", Map.of("token", "t2-" + UUID.randomUUID()));
        as(api, owner.apiKey()).get("/v1/connected-accounts/" + first).then().statusCode(200).body("status",
                equalTo("revoked"));
        String listed = as(api, owner.apiKey()).get("/v1/connected-accounts?userId=bob").then().statusCode(200)
                .body("size()", equalTo(2)).body("[0].id", equalTo(second)).extract().asString();
        assertFalse(listed.contains("t2-") || listed.contains("credentials"), listed);
        as(api, owner.apiKey()).delete("/v1/connected-accounts/" + second).then().statusCode(200).body("status",
                equalTo("revoked"));
        run("bearer_api", "bob", "after-revoke").then().statusCode(409);

        Owner other = owner(api);
        as(api, other.apiKey()).get("/v1/connected-accounts/" + second).then().statusCode(404);
        as(api, other.apiKey()).delete("/v1/connected-accounts/" + second).then().statusCode(404);
        as(api, other.apiKey()).get("/v1/connected-accounts").then().statusCode(200).body("size()", equalTo(0));
        // another owner cannot connect to this owner's integration
        as(api, other.apiKey())
                .body(Map.of("integrationKey", "bearer_api", "userId", "bob", "credentials", Map.of("token", "x")))
                .post("/v1/connected-accounts").then().statusCode(422)
                .body("errors[0].code", equalTo("unknown_integration"));
    }

    @Test
    void aZapierStoredActionUsesTheAccountItsConnectionIdNames() {
        String token = "zap_" + UUID.randomUUID();
        String account = connect(owner, "bearer_api", "carol", Map.of("token", token));
        String stored = as(api, owner.apiKey())
                .body(Map.of("data",
                        Map.of("selected_api", "bearer_api", "action_key", "bearer_api", "connection_id", account,
                                "inputs", Map.of("id", "zap-" + account))))
                .post("/actions/v1/stored-actions").then().statusCode(201).extract().path("data.id");
        as(api, owner.apiKey()).body(Map.of("data", Map.of())).post("/actions/v1/stored-actions/" + stored + "/run")
                .then().statusCode(202);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> !stub.receivedUnder("/bearer_api/zap-" + account).isEmpty());
        assertEquals("Bearer " + token,
                stub.receivedUnder("/bearer_api/zap-" + account).get(0).header("Authorization"));
    }

    @Test
    void badInputIsRefusedWithPointers() {
        as(api, owner.apiKey()).body(Map.of("integrationKey", "bearer_api", "userId", "c", "credentials", Map.of()))
                .post("/v1/connected-accounts").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/credentials/token"));
        as(api, owner.apiKey())
                .body(Map.of("integrationKey", "basic_api", "userId", "c", "credentials", Map.of("username", "u")))
                .post("/v1/connected-accounts").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/credentials/password"));
        as(api, owner.apiKey()).body(Map.of("integrationKey", "bearer_api", "credentials", Map.of("token", "t")))
                .post("/v1/connected-accounts").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/userId"));
        as(api, owner.apiKey())
                .body(Map.of("key", "odd", "name", "odd", "baseUrl", stub.baseUrl(), "auth", Map.of("type", "magic")))
                .post("/v1/integrations").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/auth/type"));
        as(api, owner.apiKey())
                .body(Map.of("key", "odd", "name", "odd", "baseUrl", stub.baseUrl(), "auth",
                        Map.of("type", "api_key", "name", "bad name")))
                .post("/v1/integrations").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/auth/name"));
        as(api, owner.apiKey()).get("/v1/connected-accounts/nope").then().statusCode(404);
    }
}

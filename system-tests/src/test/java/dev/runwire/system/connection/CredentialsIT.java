package dev.runwire.system.connection;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static org.hamcrest.Matchers.equalTo;
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
import dev.runwire.system.support.Plans;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Credentials an integration refuses, and integrations as an owner manages them: an API that reports expiry inside a
 * 200 is recognised by its configured pattern, the run waits at that step in AUTH_REQUIRED, the account is expired, and
 * a reconnection lets the run go on there; a run left waiting past the configured time ends FAILED with the reason;
 * integrations are changed, switched off (never used meanwhile) and deleted, with their bad input and other owners' ids
 * refused.
 */
class CredentialsIT {

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stub;
    @NewOwner
    static Owner owner;

    @BeforeAll
    static void setUp() {
        stub.on("/", 200, "{\"id\":\"i\",\"price\":1}", 0);
        as(api, owner.apiKey())
                .body(Map.of("key", "legacy", "name", "Legacy API", "baseUrl", stub.baseUrl(), "auth",
                        Map.of("type", "bearer"), "credentialsInvalid",
                        Map.of("statuses", List.of(401, 403), "bodyPattern", "\"error\"\\s*:\\s*\"token_expired\"")))
                .post("/v1/integrations").then().statusCode(201)
                .body("credentialsInvalid.bodyPattern", equalTo("\"error\"\\s*:\\s*\"token_expired\""))
                .body("active", equalTo(true));
        action(api, owner.apiKey(), "legacy_get", "legacy", "/legacy", 5_000);
        SystemUnderTest.integration(api, owner.apiKey(), "open", stub.baseUrl());
        action(api, owner.apiKey(), "open_a", "open", "/open_a", 5_000);
        action(api, owner.apiKey(), "open_c", "open", "/open_c", 5_000);
    }

    static String connect(String userId, String token) {
        return as(api, owner.apiKey())
                .body(Map.of("integrationKey", "legacy", "userId", userId, "credentials", Map.of("token", token)))
                .post("/v1/connected-accounts").then().statusCode(201).extract().path("id");
    }

    static String threeSteps(String user, String tag) {
        Map<String, Object> body = new HashMap<>(
                Plans.runBody(List.of(Plans.step("A", "open_a", List.of(), Map.of("id", "a-" + tag)),
                        Plans.step("B", "legacy_get", List.of("A"), Map.of("id", "b-" + tag)),
                        Plans.step("C", "open_c", List.of("B"), Map.of("id", "c-" + tag)))));
        body.put("userId", user);
        return as(api, owner.apiKey()).body(body).post("/v1/runs").then().statusCode(201).extract().path("runId");
    }

    static String status(String runId) {
        return as(api, owner.apiKey()).get("/v1/runs/" + runId).then().extract().path("status");
    }

    @Test
    void expiryReportedInsideA200PutsTheRunInAuthRequiredAndAReconnectionResumesIt() {
        String tag = UUID.randomUUID().toString();
        String user = "fay-" + tag;
        String account = connect(user, "old-" + tag);
        // the API answers 200 with an error inside the body
        stub.once("/legacy/b-" + tag, 200, "{\"error\": \"token_expired\", \"id\": \"x\", \"price\": 0}");
        String runId = threeSteps(user, tag);
        Awaitility.await("AUTH_REQUIRED").atMost(Duration.ofSeconds(20))
                .until(() -> "AUTH_REQUIRED".equals(status(runId)));
        JsonPath waiting = as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").then().extract()
                .jsonPath();
        assertEquals("B", waiting.getString("events.find { it.type == 'STEP_AUTH_REQUIRED' }.stepId"));
        assertEquals("credentials_invalid",
                waiting.getString("events.find { it.type == 'STEP_AUTH_REQUIRED' }.connect.reason"));
        assertEquals("legacy",
                waiting.getString("events.find { it.type == 'STEP_AUTH_REQUIRED' }.connect.integrationKey"));
        assertTrue(waiting.getString("events.find { it.type == 'STEP_AUTH_REQUIRED' }.connect.connectUrl")
                .contains("userId=" + user));
        Awaitility.await("expired").atMost(Duration.ofSeconds(10)).until(() -> "expired".equals(
                as(api, owner.apiKey()).get("/v1/connected-accounts/" + account).then().extract().path("status")));
        assertEquals(1, stub.receivedUnder("/open_a/a-" + tag).size());
        assertEquals(1, stub.receivedUnder("/legacy/b-" + tag).size());

        connect(user, "new-" + tag);
        Awaitility.await("SUCCESS").atMost(Duration.ofSeconds(20)).until(() -> "SUCCESS".equals(status(runId)));
        assertEquals(1, stub.receivedUnder("/open_a/a-" + tag).size(), "step A was not run again");
        List<Stub.Received> b = stub.receivedUnder("/legacy/b-" + tag);
        assertEquals(2, b.size());
        assertEquals("Bearer old-" + tag, b.get(0).header("Authorization"));
        assertEquals("Bearer new-" + tag, b.get(1).header("Authorization"));
        assertEquals(1, stub.receivedUnder("/open_c/c-" + tag).size());
    }

    @Test
    void aRunLeftInAuthRequiredPastItsTimeEndsFailedWithTheReason() {
        // the shared api-service lets a run wait 15 s (SharedSystem)
        String tag = UUID.randomUUID().toString();
        String runId = threeSteps("nobody-" + tag, tag);
        Awaitility.await("AUTH_REQUIRED").atMost(Duration.ofSeconds(20))
                .until(() -> "AUTH_REQUIRED".equals(status(runId)));
        Awaitility.await("FAILED").atMost(Duration.ofSeconds(60)).until(() -> "FAILED".equals(status(runId)));
        JsonPath ended = as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").then().extract()
                .jsonPath();
        assertEquals("auth_required_timeout", ended.getString("events.find { it.type == 'RUN_FAILED' }.error.code"));
        assertEquals("auth_required_timeout",
                ended.getString("events.find { it.stepId == 'B' && it.type == 'STEP_FAILED' }.error.code"));
        assertEquals("SKIPPED", ended.getString("events.find { it.stepId == 'C' }.type").replace("STEP_", ""));
        // a connection after the end changes nothing
        connect("nobody-" + tag, "too-late");
        assertEquals("FAILED", status(runId));
        assertTrue(stub.receivedUnder("/legacy/b-" + tag).isEmpty());
    }

    @Test
    void integrationsAreChangedSwitchedOffAndDeleted() {
        Owner mine = owner(api);
        SystemUnderTest.integration(api, mine.apiKey(), "shop", stub.baseUrl());
        action(api, mine.apiKey(), "shop_get", "shop", "/shop", 5_000);
        as(api, mine.apiKey()).body(Map.of("key", "shop_get", "userId", "u", "input", Map.of("id", "on")))
                .post("/v1/actions/run").then().statusCode(200);

        as(api, mine.apiKey()).body(Map.of("active", false, "name", "Shop (paused)")).patch("/v1/integrations/shop")
                .then().statusCode(200).body("active", equalTo(false)).body("name", equalTo("Shop (paused)"));
        as(api, mine.apiKey()).body(Map.of("key", "shop_get", "userId", "u", "input", Map.of("id", "off")))
                .post("/v1/actions/run").then().statusCode(409).body("errors[0].code", equalTo("integration_inactive"));
        Map<String, Object> plan = new HashMap<>(
                Plans.runBody(List.of(Plans.step("A", "shop_get", List.of(), Map.of("id", "off-plan")))));
        as(api, mine.apiKey()).body(plan).post("/v1/runs").then().statusCode(400).body("errors[0].code",
                equalTo("integration_inactive"));
        assertTrue(stub.receivedUnder("/shop/off").isEmpty(), "an inactive integration is never called");
        as(api, mine.apiKey()).body(Map.of("active", true)).patch("/v1/integrations/shop").then().statusCode(200);
        as(api, mine.apiKey()).body(Map.of("key", "shop_get", "userId", "u", "input", Map.of("id", "on-again")))
                .post("/v1/actions/run").then().statusCode(200);

        // bad input: a clear 422 and nothing changes
        for (Map<String, Object> bad : List.of(
                Map.<String, Object> of("credentialsInvalid", Map.of("bodyPattern", "(")),
                Map.<String, Object> of("credentialsInvalid", Map.of("statuses", List.of(99))),
                Map.<String, Object> of("credentialsInvalid", Map.of()), Map.<String, Object> of("name", ""),
                Map.<String, Object> of("baseUrl", "ftp://x"), Map.<String, Object> of("baseUrl", "http://10.0.0.1"))) {
            as(api, mine.apiKey()).body(bad).patch("/v1/integrations/shop").then().statusCode(422);
        }
        as(api, mine.apiKey()).get("/v1/integrations/shop").then().statusCode(200).body("active", equalTo(true))
                .body("name", equalTo("Shop (paused)")).body("credentialsInvalid", equalTo(null));
        as(api, mine.apiKey())
                .body(Map.of("key", "oauthy", "name", "x", "baseUrl", stub.baseUrl(), "auth",
                        Map.of("type", "oauth2_authorization_code", "tokenUrl", stub.baseUrl() + "/t")))
                .post("/v1/integrations").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/auth/authorizationUrl"));

        // another owner's integration is not found
        Owner other = owner(api);
        as(api, other.apiKey()).get("/v1/integrations/shop").then().statusCode(404);
        as(api, other.apiKey()).body(Map.of("active", false)).patch("/v1/integrations/shop").then().statusCode(404);
        as(api, other.apiKey()).delete("/v1/integrations/shop").then().statusCode(404);

        String account = as(api, mine.apiKey())
                .body(Map.of("key", "locked", "name", "Locked", "baseUrl", stub.baseUrl(), "auth",
                        Map.of("type", "bearer")))
                .post("/v1/integrations").then().statusCode(201).extract().path("key");
        String accountId = as(api, mine.apiKey())
                .body(Map.of("integrationKey", account, "userId", "u", "credentials", Map.of("token", "t")))
                .post("/v1/connected-accounts").then().statusCode(201).extract().path("id");
        as(api, mine.apiKey()).delete("/v1/integrations/locked").then().statusCode(204);
        as(api, mine.apiKey()).get("/v1/connected-accounts/" + accountId).then().statusCode(200).body("status",
                equalTo("revoked"));
        as(api, mine.apiKey()).delete("/v1/integrations/shop").then().statusCode(204);
        as(api, mine.apiKey()).get("/v1/integrations/shop").then().statusCode(404);
        as(api, mine.apiKey()).body(Map.of("key", "shop_get", "userId", "u", "input", Map.of("id", "gone")))
                .post("/v1/actions/run").then().statusCode(409).body("errors[0].code", equalTo("integration_missing"));
    }
}

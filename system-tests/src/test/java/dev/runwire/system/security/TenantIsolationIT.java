package dev.runwire.system.security;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.hasToString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.response.ValidatableResponse;

import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Every query is scoped to the caller's owner: owner B can neither read, list, change nor run owner A's actions, nor
 * read A's runs, and each sees only its own integration behind the same keys. Another owner's thing is 404, never 403,
 * so its existence does not leak.
 */
class TenantIsolationIT {

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stubA;
    @NewStub
    static Stub stubB;
    @NewOwner
    static Owner a;
    @NewOwner
    static Owner b;
    static String runOfA;

    @BeforeAll
    static void setUp() {
        stubA.on("/items/", 200, "{\"id\":\"a\",\"price\":1}", 0);
        stubB.on("/items/", 200, "{\"id\":\"b\",\"price\":2}", 0);
        // the same integration and action keys for both owners, each on its own stub
        integration(api, a.apiKey(), "stub", stubA.baseUrl());
        integration(api, b.apiKey(), "stub", stubB.baseUrl());
        action(api, a.apiKey(), "shared_key", "stub", "/items", 2_000);
        action(api, b.apiKey(), "shared_key", "stub", "/items", 2_000);
        action(api, a.apiKey(), "only_a", "stub", "/items", 2_000);
        runOfA = as(api, a.apiKey()).body(Map.of("key", "only_a", "userId", "u", "input", Map.of("id", "1")))
                .post("/v1/actions/run").then().statusCode(200).body("output.id", equalTo("a")).extract().path("runId");
    }

    @Test
    void anotherOwnersActionIsNotFound() {
        notFound(as(api, b.apiKey()).get("/v1/actions/only_a").then());
        as(api, a.apiKey()).get("/v1/actions/only_a").then().statusCode(200).body("key", equalTo("only_a"));
    }

    @Test
    void listingShowsOnlyTheCallersActions() {
        as(api, b.apiKey()).get("/v1/actions").then().statusCode(200).body("key", equalTo(List.of("shared_key")));
        as(api, a.apiKey()).get("/v1/actions").then().statusCode(200).body("key", hasSize(2)).body("key",
                containsInAnyOrder("shared_key", "only_a"));
    }

    @Test
    void anotherOwnersActionCanNeitherBeChangedNorDeactivated() {
        Map<String, Object> change = Map.of("intent", "hijacked", "inputSchema", Map.of("type", "object"),
                "outputSchema", Map.of("type", "object"), "useDefaultMapping", true, "type", "http", "http",
                Map.of("integrationKey", "stub", "method", "GET", "path", "/x"), "timeoutMs", 1000);
        notFound(as(api, b.apiKey()).body(change).put("/v1/actions/only_a").then());
        notFound(as(api, b.apiKey()).delete("/v1/actions/only_a").then());
        as(api, a.apiKey()).get("/v1/actions/only_a").then().statusCode(200).body("version", equalTo(1))
                .body("status", equalTo("active")).body("intent", equalTo("Get an item"));
    }

    @Test
    void anotherOwnersActionCannotBeRun() throws Exception {
        int callsBefore = stubA.received.size();
        notFound(as(api, b.apiKey()).body(Map.of("key", "only_a", "userId", "u", "input", Map.of("id", "2")))
                .post("/v1/actions/run").then());
        assertEquals(0, runCount(b.id()), "no run row for the refused request");
        assertEquals(callsBefore, stubA.received.size(), "A's integration was not called");
    }

    @Test
    void theSameKeyRunsEachOwnersOwnActionOnItsOwnIntegration() {
        as(api, b.apiKey()).body(Map.of("key", "shared_key", "userId", "u", "input", Map.of("id", "b1")))
                .post("/v1/actions/run").then().statusCode(200).body("output.id", equalTo("b"));
        as(api, a.apiKey()).body(Map.of("key", "shared_key", "userId", "u", "input", Map.of("id", "a1")))
                .post("/v1/actions/run").then().statusCode(200).body("output.id", equalTo("a"));
        assertEquals(1, stubB.receivedUnder("/items/b1").size());
        assertTrue(stubA.receivedUnder("/items/b1").isEmpty(), "B's run never reached A's integration");
        assertEquals(1, stubA.receivedUnder("/items/a1").size());
        assertTrue(stubB.receivedUnder("/items/a1").isEmpty(), "A's run never reached B's integration");
    }

    @Test
    void anotherOwnersRunIsNotFound() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> as(api, a.apiKey())
                .get("/v1/runs/" + runOfA).then().statusCode(200).body("status", equalTo("SUCCESS")));
        notFound(as(api, b.apiKey()).get("/v1/runs/" + runOfA).then());
        notFound(as(api, b.apiKey()).get("/v1/runs/" + runOfA + "?includeEvents=true").then());
    }

    @Test
    void aMissingOrWrongKeyIsUnauthorized() {
        given().baseUri(api.url()).get("/v1/actions/only_a").then().statusCode(401)
                .body("errors[0].status", hasToString("401")).body("errors[0].code", notNullValue());
        given().baseUri(api.url()).header("x-api-key", a.apiKey() + "x").get("/v1/runs/" + runOfA).then()
                .statusCode(401).body("errors", hasSize(1));
        given().baseUri(api.url()).header("Authorization", "Bearer rw_not_a_key").get("/v1/actions").then()
                .statusCode(401).body("errors", hasSize(1));
        given().baseUri(api.url()).header("Authorization", "Bearer " + a.apiKey()).get("/v1/actions/only_a").then()
                .statusCode(200).body("key", equalTo("only_a"));
    }

    /** 404 with a JSON:API error object that does not say whose the thing is. */
    private static void notFound(ValidatableResponse response) {
        response.statusCode(404).body("errors", hasSize(1)).body("errors[0].status", hasToString("404"))
                .body("errors[0].code", notNullValue()).body("errors[0].detail", not(containsOwner()));
    }

    private static Matcher<String> containsOwner() {
        return anyOf(containsString(a.id()), containsString(b.id()));
    }
}

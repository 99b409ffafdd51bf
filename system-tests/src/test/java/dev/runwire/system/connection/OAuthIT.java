package dev.runwire.system.connection;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.runwire.system.support.AuthorizationServer;
import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.Plans;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * OAuth 2 against a local authorization server: the authorization-code connect flow (connect link, redirect with state,
 * token exchange), refresh before expiry with twenty concurrent runs on two api-service replicas causing exactly one
 * refresh, a refused refresh marking the account expired, client credentials, an access token the API stops accepting
 * being refreshed while the run waits at that step, and a refusal no refresh fixes expiring the account.
 */
class OAuthIT {

    @SharedApi
    static ServiceProcess api;
    @SharedTopics
    static IsolatedTopics topics;
    /** A second api-service replica on the same topics and database. */
    static ServiceProcess api2;
    static AuthorizationServer auth;
    /** An integration without credentials, for plans that mix the two. */
    @NewStub
    static Stub open;
    @NewOwner
    static Owner owner;
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void setUp() throws Exception {
        api2 = ServiceProcess.api("api-oauth-2", topics.apiEnv(Map.of("RUNWIRE_RUN_SYNC_WAIT", "2s"))).start();
        auth = new AuthorizationServer();
        Map<String, Object> code = Map.of("type", "oauth2_authorization_code", "authorizationUrl",
                auth.url() + "/authorize", "tokenUrl", auth.url() + "/token", "clientId", AuthorizationServer.CLIENT_ID,
                "clientSecret", AuthorizationServer.CLIENT_SECRET, "scopes", List.of("items.read", "items.write"));
        String shown = as(api, owner.apiKey())
                .body(Map.of("key", "crm", "name", "CRM", "baseUrl", auth.url(), "auth", code)).post("/v1/integrations")
                .then().statusCode(201).body("auth.clientId", equalTo(AuthorizationServer.CLIENT_ID))
                .body("auth.clientSecret", nullValue()).extract().asString();
        assertFalse(shown.contains(AuthorizationServer.CLIENT_SECRET), shown);
        action(api, owner.apiKey(), "crm_get", "crm", "/api/items", 5_000);
        as(api, owner.apiKey())
                .body(Map.of("key", "machine", "name", "Machine API", "baseUrl", auth.url(), "auth",
                        Map.of("type", "oauth2_client_credentials", "tokenUrl", auth.url() + "/token")))
                .post("/v1/integrations").then().statusCode(201);
        action(api, owner.apiKey(), "machine_get", "machine", "/api/machine", 5_000);
        open.on("/", 200, "{\"id\":\"o\",\"price\":1}", 0);
        SystemUnderTest.integration(api, owner.apiKey(), "open_api", open.baseUrl());
        action(api, owner.apiKey(), "open_step", "open_api", "/open", 5_000);
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        auth.close();
        api2.stop();
    }

    /** Runs the whole connect flow for a user: the connect link, the provider's redirect, Runwire's callback. */
    static String connect(String userId) throws Exception {
        JsonPath started = as(api, owner.apiKey()).body(Map.of("integrationKey", "crm", "userId", userId))
                .post("/v1/connected-accounts").then().statusCode(201).body("status", equalTo("initiated")).extract()
                .jsonPath();
        String redirectUrl = started.getString("redirectUrl");
        Map<String, String> asked = AuthorizationServer.form(URI.create(redirectUrl).getRawQuery());
        assertEquals("code", asked.get("response_type"));
        assertEquals(AuthorizationServer.CLIENT_ID, asked.get("client_id"));
        assertEquals("items.read items.write", asked.get("scope"));
        assertTrue(asked.get("redirect_uri").endsWith("/oauth/callback"), asked.toString());
        // the user consents at the provider, which redirects back with a code and the state
        HttpResponse<String> consent = HTTP.send(HttpRequest.newBuilder(URI.create(redirectUrl)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(302, consent.statusCode());
        URI back = URI.create(consent.headers().firstValue("Location").orElseThrow());
        Map<String, String> returned = AuthorizationServer.form(back.getRawQuery());
        assertEquals(asked.get("state"), returned.get("state"));
        String body = io.restassured.RestAssured.given().baseUri(api.url()).get("/oauth/callback?" + back.getRawQuery())
                .then().statusCode(200).body("status", equalTo("active")).body("id", equalTo(started.getString("id")))
                .extract().asString();
        assertFalse(body.contains("at-") || body.contains("rt-"), "no token in the answer: " + body);
        // the state works once
        io.restassured.RestAssured.given().baseUri(api.url()).get("/oauth/callback?" + back.getRawQuery()).then()
                .statusCode(400).body("errors[0].code", equalTo("invalid_state"));
        return started.getString("id");
    }

    /** A plan run of the user: an open step, then crm_get with this id; returns once it succeeded. */
    static String twoStepRun(String user, String id) {
        Map<String, Object> body = new HashMap<>(
                Plans.runBody(List.of(Plans.step("A", "open_step", List.of(), Map.of("id", "a-" + user)),
                        Plans.step("B", "crm_get", List.of("A"), Map.of("id", id)))));
        body.put("userId", user);
        String runId = as(api, owner.apiKey()).body(body).post("/v1/runs").then().statusCode(201).extract()
                .path("runId");
        Awaitility.await("SUCCESS").atMost(Duration.ofSeconds(30)).until(() -> "SUCCESS"
                .equals(as(api, owner.apiKey()).get("/v1/runs/" + runId).then().extract().path("status")));
        return runId;
    }

    static io.restassured.response.Response run(String action, String userId, String id) {
        return as(api, owner.apiKey()).body(Map.of("key", action, "userId", userId, "input", Map.of("id", id)))
                .post("/v1/actions/run");
    }

    @Test
    void theConnectFlowExchangesTheCodeAndRunsUseTheToken() throws Exception {
        auth.expiresIn = 3600;
        String user = "ada-" + UUID.randomUUID();
        int exchanges = auth.grants("authorization_code").size();
        String account = connect(user);
        assertEquals(exchanges + 1, auth.grants("authorization_code").size());
        AuthorizationServer.Grant exchange = auth.grants("authorization_code").get(exchanges);
        assertEquals(AuthorizationServer.CLIENT_ID, exchange.clientId());
        assertEquals(AuthorizationServer.CLIENT_SECRET, exchange.clientSecret());
        run("crm_get", user, "flow").then().statusCode(200).body("runId", org.hamcrest.Matchers.notNullValue());
        assertNotNull(auth.tokenOfCall("/api/items/flow"));
        as(api, owner.apiKey()).get("/v1/connected-accounts/" + account).then().statusCode(200)
                .body("status", equalTo("active")).body("expiresAt", org.hamcrest.Matchers.notNullValue());

        // unknown or missing state: 400, nothing changes
        io.restassured.RestAssured.given().baseUri(api.url()).get("/oauth/callback?state=forged&code=x").then()
                .statusCode(400).body("errors[0].code", equalTo("invalid_state"));
        io.restassured.RestAssured.given().baseUri(api.url()).get("/oauth/callback?code=x").then().statusCode(400);
        // a user who declines: the account records why, no exchange happens
        JsonPath declined = as(api, owner.apiKey()).body(Map.of("integrationKey", "crm", "userId", user + "-no"))
                .post("/v1/connected-accounts").then().statusCode(201).extract().jsonPath();
        String state = AuthorizationServer.form(URI.create(declined.getString("redirectUrl")).getRawQuery())
                .get("state");
        int before = auth.grants.size();
        io.restassured.RestAssured.given().baseUri(api.url()).get("/oauth/callback?error=access_denied&state=" + state)
                .then().statusCode(400).body("status", equalTo("failed"));
        assertEquals(before, auth.grants.size());
        // another owner sees none of it
        Owner other = owner(api);
        as(api, other.apiKey()).get("/v1/connected-accounts/" + account).then().statusCode(404);
        as(api, other.apiKey()).get("/v1/integrations/crm").then().statusCode(404);
    }

    @Test
    void twentyConcurrentRunsOnTwoReplicasNeedingARefreshCauseExactlyOneRefresh() throws Exception {
        // tokens that end within the refresh skew (60 s) are refreshed before they are used
        auth.expiresIn = 30;
        String user = "bea-" + UUID.randomUUID();
        connect(user);
        auth.expiresIn = 3600;
        int refreshes = auth.grants("refresh_token").size();
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<String>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = "many-" + i + "-" + user;
                ServiceProcess replica = i % 2 == 0 ? api : api2;
                calls.add(() -> {
                    io.restassured.response.Response answer = as(replica, owner.apiKey())
                            .body(Map.of("key", "crm_get", "userId", user, "input", Map.of("id", id)))
                            .post("/v1/actions/run");
                    // 200, or 202 when the run outlasts the synchronous wait on a busy machine
                    assertTrue(answer.statusCode() == 200 || answer.statusCode() == 202, answer.asString());
                    return answer.path("runId");
                });
            }
            for (Future<String> runId : pool.invokeAll(calls)) {
                String id = runId.get();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCESS"
                        .equals(as(api, owner.apiKey()).get("/v1/runs/" + id).then().extract().path("status")));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(refreshes + 1, auth.grants("refresh_token").size(), "one refresh for twenty runs");
        String refreshed = auth.tokenOfCall("/api/items/many-0-" + user);
        for (int i = 0; i < 20; i++) {
            assertEquals(refreshed, auth.tokenOfCall("/api/items/many-" + i + "-" + user));
        }
        // the new token is good for an hour: the next run refreshes nothing
        run("crm_get", user, "later-" + user).then().statusCode(200);
        assertEquals(refreshes + 1, auth.grants("refresh_token").size());
    }

    @Test
    void aRefusedRefreshMarksTheAccountExpired() throws Exception {
        auth.expiresIn = 30;
        String user = "cy-" + UUID.randomUUID();
        String account = connect(user);
        auth.expiresIn = 3600;
        // the provider revoked the grant
        run("crm_get", user, "first-" + user).then().statusCode(200);
        String token = auth.tokenOfCall("/api/items/first-" + user);
        auth.refuseRefreshOf(token);
        // make the token due again: the stored expiry is what Runwire goes by
        SystemUnderTest.query(
                "update api.connected_accounts set expires_at = now() where id = '" + account + "' returning id");
        run("crm_get", user, "second-" + user).then().statusCode(409).body("errors[0].code",
                equalTo("connection_required"));
        as(api, owner.apiKey()).get("/v1/connected-accounts/" + account).then().statusCode(200)
                .body("status", equalTo("expired"))
                .body("statusReason", org.hamcrest.Matchers.containsString("invalid_grant"));
    }

    @Test
    void aRefusalThatARefreshCannotFixExpiresTheAccountAndTheRunWaits() throws Exception {
        auth.expiresIn = 3600;
        String user = "fin-" + UUID.randomUUID();
        String account = connect(user);
        int refreshes = auth.grants("refresh_token").size();
        auth.refuseAll = true;
        try {
            Map<String, Object> body = new HashMap<>(
                    Plans.runBody(List.of(Plans.step("A", "crm_get", List.of(), Map.of("id", "fin-" + user)))));
            body.put("userId", user);
            String runId = as(api, owner.apiKey()).body(body).post("/v1/runs").then().statusCode(201).extract()
                    .path("runId");
            // refused, refreshed once, refused again: the account expires and the run waits for a reconnection
            Awaitility.await("expired").atMost(Duration.ofSeconds(30)).until(() -> "expired".equals(
                    as(api, owner.apiKey()).get("/v1/connected-accounts/" + account).then().extract().path("status")));
            assertEquals(refreshes + 1, auth.grants("refresh_token").size(), "one refresh, not a loop");
            Awaitility.await("AUTH_REQUIRED").atMost(Duration.ofSeconds(10)).until(() -> "AUTH_REQUIRED"
                    .equals(as(api, owner.apiKey()).get("/v1/runs/" + runId).then().extract().path("status")));
            assertEquals(2, auth.apiCalls.stream().filter(c -> c.startsWith("/api/items/fin-" + user)).count());
        } finally {
            auth.refuseAll = false;
        }
    }

    @Test
    void aTokenThatWouldEndBeforeAStepCallsIsRefreshedFirstAndNeverSent() throws Exception {
        // 75 s: enough for the api-service when the run is accepted, too little for the executor (SharedSystem)
        auth.expiresIn = 75;
        String user = "gus-" + UUID.randomUUID();
        connect(user);
        String original = auth.issued.get(auth.issued.size() - 2);
        auth.expiresIn = 3600;
        int refreshes = auth.grants("refresh_token").size();
        String runId = twoStepRun(user, "late-" + user);
        assertEquals(refreshes + 1, auth.grants("refresh_token").size());
        List<String> calls = auth.apiCalls.stream().filter(c -> c.startsWith("/api/items/late-" + user)).toList();
        assertEquals(1, calls.size(), "the ending token was never sent: " + calls);
        assertNotEquals(original, calls.get(0).split(" ")[1]);
        assertEquals("credentials_expired",
                as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").then().extract().jsonPath()
                        .getString("events.find { it.type == 'STEP_AUTH_REQUIRED' }.connect.reason"));
    }

    @Test
    void clientCredentialsGetATokenWhenConnectedAndWrongOnesAreRefused() {
        String user = "dee-" + UUID.randomUUID();
        String secret = "cc-secret-" + UUID.randomUUID();
        as(api, owner.apiKey())
                .body(Map.of("integrationKey", "machine", "userId", user, "credentials",
                        Map.of("clientId", "machine-1", "clientSecret", secret)))
                .post("/v1/connected-accounts").then().statusCode(201).body("status", equalTo("active"));
        run("machine_get", user, "cc-" + user).then().statusCode(200);
        assertTrue(auth.tokenOfCall("/api/machine/cc-" + user).startsWith("at-"));
        AuthorizationServer.Grant grant = auth.grants("client_credentials").stream()
                .filter(g -> g.clientSecret().equals(secret)).findFirst().orElseThrow();
        assertEquals("machine-1", grant.clientId());
        as(api, owner.apiKey())
                .body(Map.of("integrationKey", "machine", "userId", user + "-bad", "credentials",
                        Map.of("clientId", "machine-1", "clientSecret", "wrong")))
                .post("/v1/connected-accounts").then().statusCode(422)
                .body("errors[0].code", equalTo("credentials_rejected"));
        as(api, owner.apiKey()).get("/v1/connected-accounts?userId=" + user + "-bad").then().statusCode(200)
                .body("size()", equalTo(0));
    }

    @Test
    void aTokenTheApiNoLongerAcceptsIsRefreshedAndTheRunGoesOnAtThatStep() throws Exception {
        auth.expiresIn = 3600;
        String user = "eve-" + UUID.randomUUID();
        connect(user);
        run("crm_get", user, "before-" + user).then().statusCode(200);
        String token = auth.tokenOfCall("/api/items/before-" + user);
        // the provider revokes the access token early; Runwire still thinks it is good for an hour
        auth.invalidate(token);
        int refreshes = auth.grants("refresh_token").size();
        String runId = twoStepRun(user, "b-" + user);
        assertEquals(refreshes + 1, auth.grants("refresh_token").size());
        List<String> calls = auth.apiCalls.stream().filter(c -> c.startsWith("/api/items/b-" + user)).toList();
        assertEquals(2, calls.size(), calls.toString());
        assertEquals(token, calls.get(0).split(" ")[1]);
        assertNotEquals(token, calls.get(1).split(" ")[1]);
        JsonPath events = as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").then().extract()
                .jsonPath();
        assertEquals("credentials_invalid",
                events.getString("events.find { it.type == 'STEP_AUTH_REQUIRED' }.connect.reason"));
        assertEquals("B", events.getString("events.find { it.type == 'STEP_AUTH_REQUIRED' }.stepId"));
        String shown = events.prettify();
        assertFalse(shown.contains("at-") || shown.contains("rt-"), "no token in the events");
    }
}

package dev.runwire.system.security;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.newOwner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.runwire.system.support.AuthorizationServer;
import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.Plans;
import dev.runwire.system.support.SecretScan;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SharedExecutor;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;

/**
 * A pass-through secret is used for its run's integration call and appears in clear nowhere else: no log line of either
 * service, no record (key, value or header) on either topic, no row of any table of schema {@code api} (the outbox
 * included, whose rows live only until their command is published), no run the API shows. Checked for a run that
 * succeeds and for runs that fail, whose error messages must not quote the request.
 */
class SecretLeakIT {

    @SharedApi
    static ServiceProcess api;
    @SharedExecutor
    static ServiceProcess executor;
    @SharedTopics
    static IsolatedTopics topics;

    @Test
    void passThroughSecretsAppearInClearNowhere() throws Exception {
        String headerSecret = "sk_live_" + UUID.randomUUID();
        String querySecret = "qs_live_" + UUID.randomUUID();
        List<String> secrets = List.of(headerSecret, querySecret);
        try (Stub stub = new Stub(); OutboxCopy outbox = new OutboxCopy()) {
            stub.on("/secret/ok/", 200, "{\"id\":\"s\",\"price\":1}", 0);
            stub.on("/secret/broken/", 500, "{\"error\":\"boom\"}", 0);
            stub.on("/secret/slow/", 200, "{\"id\":\"s\",\"price\":1}", 1_500);
            String key = newOwner(api);
            integration(api, key, "stub", stub.baseUrl());
            action(api, key, "secret_ok", "stub", "/secret/ok", 2_000);
            action(api, key, "secret_broken", "stub", "/secret/broken", 2_000);
            action(api, key, "secret_slow", "stub", "/secret/slow", 300);
            List<Map<String, Object>> passThrough = List.of(Map.of("headers",
                    Map.of("Authorization", "Bearer " + headerSecret, "X-Partner-Secret", headerSecret), "query",
                    Map.of("token", querySecret)));

            List<String> runIds = new ArrayList<>();
            runIds.add(
                    as(api, key)
                            .body(Map.of("key", "secret_ok", "userId", "u", "input", Map.of("id", "s"), "passThrough",
                                    passThrough))
                            .post("/v1/actions/run").then().statusCode(200).extract().path("runId"));
            runIds.add(as(api, key)
                    .body(Map.of("key", "secret_broken", "userId", "u", "input", Map.of("id", "s"), "passThrough",
                            passThrough))
                    .post("/v1/actions/run").then().statusCode(502)
                    .body("errors[0].code", equalTo("integration_http_error")).extract().path("errors[0].meta.runId"));
            runIds.add(as(api, key)
                    .body(Map.of("key", "secret_slow", "userId", "u", "input", Map.of("id", "s"), "passThrough",
                            passThrough))
                    .post("/v1/actions/run").then().statusCode(502)
                    .body("errors[0].code", equalTo("integration_timeout")).extract().path("errors[0].meta.runId"));

            List<Stub.Received> calls = stub.receivedUnder("/secret/");
            assertEquals(3, calls.size());
            for (Stub.Received call : calls) {
                assertEquals("Bearer " + headerSecret, call.header("Authorization"), "the header secret was used");
                assertEquals(headerSecret, call.header("X-Partner-Secret"), "the header secret was used");
                assertTrue(call.query().contains("token=" + querySecret), "the query secret was used: " + call.query());
            }

            for (String runId : runIds) {
                Awaitility.await("events of run " + runId).atMost(Duration.ofSeconds(10))
                        .until(() -> query("select count(*) from api.run_events where run_id = '" + runId + "'").get(0)
                                .get(0).equals(4L));
                String shown = as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").then().statusCode(200)
                        .extract().asString();
                for (String secret : secrets) {
                    assertFalse(shown.contains(secret), "secret in GET /v1/runs/" + runId + ": " + shown);
                }
            }
            assertEquals(3, outbox.rows(runIds), "the outbox rows of the three runs were seen");

            for (String secret : secrets) {
                assertNowhereElse(secret, "secret", outbox);
            }
        }
    }

    @Test
    void connectedAccountCredentialsAppearInClearNowhere() throws Exception {
        String token = "tok_live_" + UUID.randomUUID();
        try (Stub stub = new Stub(); OutboxCopy outbox = new OutboxCopy()) {
            stub.on("/vault/", 200, "{\"id\":\"v\",\"price\":1}", 0);
            String key = newOwner(api);
            as(api, key).body(Map.of("key", "vault", "name", "vault", "baseUrl", stub.baseUrl(), "auth",
                    Map.of("type", "bearer"))).post("/v1/integrations").then().statusCode(201);
            action(api, key, "vault_get", "vault", "/vault", 2_000);
            String created = as(api, key)
                    .body(Map.of("integrationKey", "vault", "userId", "u", "credentials", Map.of("token", token)))
                    .post("/v1/connected-accounts").then().statusCode(201).extract().asString();
            String runId = as(api, key).body(Map.of("key", "vault_get", "userId", "u", "input", Map.of("id", "v")))
                    .post("/v1/actions/run").then().statusCode(200).extract().path("runId");
            assertEquals("Bearer " + token, stub.receivedUnder("/vault/").get(0).header("Authorization"));
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> query("select count(*) from api.run_events where run_id = '" + runId + "'").get(0)
                            .get(0).equals(4L));
            List<String> shown = List.of(created, as(api, key).get("/v1/connected-accounts").asString(),
                    as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").asString());
            for (String answer : shown) {
                assertFalse(answer.contains(token), "credentials in a response: " + answer);
            }
            assertEquals(1, outbox.rows(List.of(runId)));
            assertNowhereElse(token, "credentials", outbox);
        }
    }

    @Test
    void oauthTokensClientSecretsAndAuthConfigAppearInClearNowhere() throws Exception {
        String configToken = "cfg_live_" + UUID.randomUUID();
        try (AuthorizationServer auth = new AuthorizationServer(); Stub stub = new Stub();
                OutboxCopy outbox = new OutboxCopy()) {
            stub.on("/cfg/", 200, "{\"id\":\"c\",\"price\":1}", 0);
            String key = newOwner(api);
            List<String> shown = new ArrayList<>();
            shown.add(as(api, key)
                    .body(Map.of("key", "crm", "name", "crm", "baseUrl", auth.url(), "auth",
                            Map.of("type", "oauth2_authorization_code", "authorizationUrl", auth.url() + "/authorize",
                                    "tokenUrl", auth.url() + "/token", "clientId", AuthorizationServer.CLIENT_ID,
                                    "clientSecret", AuthorizationServer.CLIENT_SECRET)))
                    .post("/v1/integrations").then().statusCode(201).extract().asString());
            action(api, key, "crm_get", "crm", "/api/items", 2_000);
            as(api, key).body(
                    Map.of("key", "cfg", "name", "cfg", "baseUrl", stub.baseUrl(), "auth", Map.of("type", "bearer")))
                    .post("/v1/integrations").then().statusCode(201);
            action(api, key, "cfg_get", "cfg", "/cfg", 2_000);

            // a token due for refresh (used at once), then one the API stops accepting (refreshed after a refusal)
            auth.expiresIn = 30;
            auth.connect(api, key, "crm", "u");
            auth.expiresIn = 3600;
            List<String> runIds = new ArrayList<>();
            runIds.add(as(api, key).body(Map.of("key", "crm_get", "userId", "u", "input", Map.of("id", "one")))
                    .post("/v1/actions/run").then().statusCode(200).extract().path("runId"));
            auth.invalidate(auth.tokenOfCall("/api/items/one"));
            Map<String, Object> plan = new java.util.HashMap<>(
                    Plans.runBody(List.of(Plans.step("A", "crm_get", List.of(), Map.of("id", "two")))));
            plan.put("userId", "u");
            String planRun = as(api, key).body(plan).post("/v1/runs").then().statusCode(201).extract().path("runId");
            runIds.add(planRun);
            Awaitility.await("the plan run, after a refresh").atMost(Duration.ofSeconds(30)).until(
                    () -> "SUCCESS".equals(as(api, key).get("/v1/runs/" + planRun).then().extract().path("status")));
            assertEquals(2, auth.grants("refresh_token").size());
            // Composio's authConfig: credentials for one call
            shown.add(io.restassured.RestAssured.given().baseUri(api.url()).header("x-api-key", key)
                    .contentType("application/json")
                    .body(Map.of("authConfig", Map.of("token", configToken), "entityId", "e", "input",
                            Map.of("id", "c")))
                    .post("/api/v2/actions/cfg_get/execute").then().statusCode(200).extract().asString());
            assertEquals("Bearer " + configToken, stub.receivedUnder("/cfg/c").get(0).header("Authorization"));

            for (String runId : runIds) {
                shown.add(as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").asString());
            }
            shown.add(as(api, key).get("/v1/connected-accounts").asString());
            shown.add(as(api, key).get("/v1/integrations/crm").asString());
            List<String> secrets = new ArrayList<>(auth.issued);
            secrets.add(AuthorizationServer.CLIENT_SECRET);
            secrets.add(configToken);
            assertTrue(secrets.size() >= 7, "three access and three refresh tokens were issued: " + secrets.size());
            assertTrue(outbox.rows(List.of(planRun)) > 0);
            for (String secret : secrets) {
                for (String answer : shown) {
                    assertFalse(answer.contains(secret), "a secret in a response: " + answer);
                }
                assertNowhereElse(secret, "a secret", outbox);
            }
        }
    }

    /**
     * Asserts that {@code secret} is in no log line of either service, no outbox row, no table of schema {@code api}
     * and no record on either topic.
     */
    private static void assertNowhereElse(String secret, String what, OutboxCopy outbox) throws SQLException {
        for (ServiceProcess service : List.of(api, executor)) {
            assertFalse(service.logText().contains(secret), what + " in the log " + service.log);
        }
        assertFalse(outbox.contains(secret), what + " in an outbox row");
        assertEquals(List.of(), SecretScan.tablesContaining(secret), what + " in tables of schema api");
        assertEquals(List.of(), SecretScan.recordsContaining(secret, topics.commands, topics.events),
                what + " in Kafka records");
    }

    /**
     * A copy of every row written to {@code api.outbox} while it is open, kept by a trigger in a schema of the tests:
     * the service deletes an outbox row right after publishing its command, too fast to read it in passing.
     */
    private static final class OutboxCopy implements AutoCloseable {

        private final String name = "outbox_copy_" + UUID.randomUUID().toString().replace("-", "");

        OutboxCopy() throws SQLException {
            try (Connection connection = SystemUnderTest.db(); Statement statement = connection.createStatement()) {
                statement.execute("create schema if not exists systest");
                statement.execute("create table systest." + name + " (run_id uuid, row_text text not null)");
                statement.execute("create function systest." + name + "() returns trigger language plpgsql as $$ "
                        + "begin insert into systest." + name + " values (new.run_id, new::text); return new; end $$");
                statement.execute("create trigger " + name + " after insert or update on api.outbox for each row "
                        + "execute function systest." + name + "()");
            }
        }

        long rows(List<String> runIds) throws SQLException {
            try (Connection connection = SystemUnderTest.db();
                    PreparedStatement statement = connection.prepareStatement(
                            "select count(distinct run_id) from systest." + name + " where run_id::text = any(?)")) {
                statement.setArray(1, connection.createArrayOf("text", runIds.toArray()));
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        }

        boolean contains(String secret) throws SQLException {
            try (Connection connection = SystemUnderTest.db(); PreparedStatement statement = connection
                    .prepareStatement("select count(*) from systest." + name + " where strpos(row_text, ?) > 0")) {
                statement.setString(1, secret);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1) > 0;
                }
            }
        }

        @Override
        public void close() throws SQLException {
            try (Connection connection = SystemUnderTest.db(); Statement statement = connection.createStatement()) {
                statement.execute("drop trigger if exists " + name + " on api.outbox");
                statement.execute("drop function if exists systest." + name + "()");
                statement.execute("drop table if exists systest." + name);
            }
        }
    }
}

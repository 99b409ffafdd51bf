package dev.runwire.api.integration;

import static dev.runwire.api.Owners.as;
import static dev.runwire.api.Owners.newOwner;
import static dev.runwire.api.Owners.newOwnerKey;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Integrations as the registry stores them: what a creation, a change and a deletion write, the client secret kept
 * sealed and out of every answer, a key taken once even by concurrent creations, the accounts of a deleted integration
 * revoked, and another owner's integration out of reach.
 */
@QuarkusTest
class IntegrationRegistryTest {

    @Inject
    Pool pool;

    UUID ownerId;
    String key;

    @BeforeEach
    void owner() {
        var owner = newOwner();
        ownerId = owner.id();
        key = owner.key();
    }

    @Test
    void createListChangeAndShow() {
        as(key).body(Map.of("key", "shop", "name", "  Shop  ", "baseUrl", "http://127.0.0.1:9/api", "auth",
                Map.of("type", "api_key", "name", "X-Api-Key"))).post("/v1/integrations").then().statusCode(201)
                .body("key", equalTo("shop")).body("name", equalTo("Shop")).body("auth.type", equalTo("api_key"))
                .body("auth.in", equalTo("header")).body("credentialsInvalid.statuses", equalTo(List.of(401)))
                .body("active", equalTo(true));
        as(key).body(Map.of("key", "atlas", "name", "Atlas", "baseUrl", "http://127.0.0.1:9", "active", false))
                .post("/v1/integrations").then().statusCode(201).body("auth.type", equalTo("none"))
                .body("credentialsInvalid", nullValue()).body("active", equalTo(false));

        as(key).get("/v1/integrations").then().statusCode(200).body("key", equalTo(List.of("atlas", "shop")));
        Row stored = row("shop");
        assertEquals("http://127.0.0.1:9/api", stored.getString("base_url"));
        assertNull(stored.getString("credentials_invalid"), "the default check is not stored");
        assertNull(stored.getString("sealed_client_secret"));

        String createdAt = as(key).get("/v1/integrations/shop").then().statusCode(200).extract().path("createdAt");
        as(key).body(Map.of("active", false, "credentialsInvalid", Map.of("statuses", List.of(403))))
                .patch("/v1/integrations/shop").then().statusCode(200).body("name", equalTo("Shop"))
                .body("baseUrl", equalTo("http://127.0.0.1:9/api")).body("active", equalTo(false))
                .body("credentialsInvalid.statuses", equalTo(List.of(403))).body("createdAt", equalTo(createdAt));
        as(key).body(Map.of("name", " Shop 2 ", "baseUrl", "http://127.0.0.1:9/v2")).patch("/v1/integrations/shop")
                .then().statusCode(200).body("name", equalTo("Shop 2"))
                .body("baseUrl", equalTo("http://127.0.0.1:9/v2")).body("active", equalTo(false))
                .body("credentialsInvalid.statuses", equalTo(List.of(403)));
        Row changed = row("shop");
        assertFalse(changed.getBoolean("active"));
        assertEquals("http://127.0.0.1:9/v2", changed.getString("base_url"));
        assertTrue(changed.getOffsetDateTime("updated_at").isAfter(changed.getOffsetDateTime("created_at")));
    }

    @Test
    void theClientSecretIsSealedAndNeverShown() {
        String secret = "client-secret-" + UUID.randomUUID();
        as(key).body(Map.of("key", "oauth", "name", "OAuth", "baseUrl", "http://127.0.0.1:9", "auth",
                Map.of("type", "oauth2_authorization_code", "tokenUrl", "http://127.0.0.1:9/token", "authorizationUrl",
                        "http://127.0.0.1:9/authorize", "clientId", "client-1", "clientSecret", secret)))
                .post("/v1/integrations").then().statusCode(201).body("auth.clientId", equalTo("client-1"))
                .body("auth.clientSecret", nullValue());
        as(key).get("/v1/integrations/oauth").then().statusCode(200).body("auth.clientSecret", nullValue());
        Row stored = row("oauth");
        assertNotNull(stored.getString("key_id"));
        assertNotNull(stored.getString("sealed_client_secret"));
        assertFalse(stored.getString("sealed_client_secret").contains(secret));
        assertFalse(stored.getString("auth").contains(secret));
    }

    @Test
    void aKeyIsTakenOnceEvenByConcurrentCreations() throws Exception {
        List<Callable<Response>> creations = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String name = "Racer " + i;
            creations.add(() -> as(key).body(Map.of("key", "race", "name", name, "baseUrl", "http://127.0.0.1:9"))
                    .post("/v1/integrations"));
        }
        List<Integer> statuses = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(creations.size());
        try {
            for (Future<Response> answer : threads.invokeAll(creations)) {
                Response response = answer.get();
                statuses.add(response.statusCode());
                if (response.statusCode() == 409) {
                    assertEquals("integration_exists", response.path("errors[0].code"));
                    assertEquals("/key", response.path("errors[0].source.pointer"));
                }
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        assertEquals(creations.size() - 1, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
        assertEquals(1L,
                pool.preparedQuery("select count(*) from api.integrations where owner_id = $1 and key = 'race'")
                        .execute(Tuple.of(ownerId)).await().indefinitely().iterator().next().getLong(0));
    }

    @Test
    void deletingRevokesTheAccountsAndLeavesTheActionsUnrunnable() {
        as(key).body(Map.of("key", "locked", "name", "Locked", "baseUrl", "http://127.0.0.1:9", "auth",
                Map.of("type", "bearer"))).post("/v1/integrations").then().statusCode(201);
        String accountId = as(key)
                .body(Map.of("integrationKey", "locked", "userId", "u1", "credentials", Map.of("token", "t-1")))
                .post("/v1/connected-accounts").then().statusCode(201).extract().path("id");

        as(key).delete("/v1/integrations/locked").then().statusCode(204);

        assertNull(row("locked"));
        Row account = pool
                .preparedQuery("select status, status_reason, sealed from api.connected_accounts where id = $1")
                .execute(Tuple.of(UUID.fromString(accountId))).await().indefinitely().iterator().next();
        assertEquals("revoked", account.getString("status"));
        assertEquals("the integration was deleted", account.getString("status_reason"));
        assertNull(account.getString("sealed"));
        as(key).get("/v1/integrations/locked").then().statusCode(404).body("errors[0].code", equalTo("not_found"));
        as(key).delete("/v1/integrations/locked").then().statusCode(404);
    }

    @Test
    void anotherOwnersIntegrationIsOutOfReach() {
        as(key).body(Map.of("key", "mine", "name", "Mine", "baseUrl", "http://127.0.0.1:9")).post("/v1/integrations")
                .then().statusCode(201);
        String other = newOwnerKey();
        as(other).get("/v1/integrations/mine").then().statusCode(404);
        as(other).get("/v1/integrations").then().statusCode(200).body("size()", equalTo(0));
        as(other).body(Map.of("name", "Theirs")).patch("/v1/integrations/mine").then().statusCode(404);
        as(other).delete("/v1/integrations/mine").then().statusCode(404);
        // the same key is free for another owner
        as(other).body(Map.of("key", "mine", "name", "Theirs", "baseUrl", "http://127.0.0.1:9"))
                .post("/v1/integrations").then().statusCode(201);
        as(key).get("/v1/integrations/mine").then().statusCode(200).body("name", equalTo("Mine"));
        as(key).body(Map.of("active", true)).patch("/v1/integrations/nope").then().statusCode(404);
    }

    /** The calling owner's stored integration, or null. */
    private Row row(String integrationKey) {
        var rows = pool.preparedQuery("select * from api.integrations where owner_id = $1 and key = $2")
                .execute(Tuple.of(ownerId, integrationKey)).await().indefinitely();
        return rows.size() == 0 ? null : rows.iterator().next();
    }
}

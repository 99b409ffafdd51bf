package dev.runwire.system.surface;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

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
 * Composio's execute surface with {@code x-api-key}: an action run with a connected account chosen by id or by entity,
 * or with {@code authConfig} credentials for this call only (never stored); the response's
 * {@code data, successful, successfull, error, logId, sessionInfo}; the action's schema; the connected accounts list;
 * bad input and another owner's ids.
 */
class ComposioIT {

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stub;
    @NewOwner
    static Owner owner;

    @BeforeAll
    static void setUp() {
        stub.on("/", 200, "{\"id\":\"i\",\"price\":3}", 0);
        stub.on("/broken/", 500, "{\"error\":\"down\"}", 0);
        as(api, owner.apiKey()).body(
                Map.of("key", "github", "name", "GitHub", "baseUrl", stub.baseUrl(), "auth", Map.of("type", "bearer")))
                .post("/v1/integrations").then().statusCode(201);
        action(api, owner.apiKey(), "github_get_item", "github", "/items", 5_000);
        action(api, owner.apiKey(), "github_broken", "github", "/broken", 5_000);
    }

    static String account(String entityId, String token) {
        return as(api, owner.apiKey())
                .body(Map.of("integrationKey", "github", "entityId", entityId, "credentials", Map.of("token", token)))
                .post("/v1/connected-accounts").then().statusCode(201).extract().path("id");
    }

    static JsonPath execute(String action, Map<String, Object> body, int status) {
        return as(api, owner.apiKey()).body(body).post("/api/v2/actions/" + action + "/execute").then()
                .statusCode(status).extract().jsonPath();
    }

    @Test
    void anEntityWithTwoCandidateAccountsIsAskedToChooseNotGuessedFor() {
        String entity = "amb-" + UUID.randomUUID();
        String byEntity = account(entity, "e-" + UUID.randomUUID());
        String byUser = as(api, owner.apiKey())
                .body(Map.of("integrationKey", "github", "userId", entity, "credentials",
                        Map.of("token", "u-" + UUID.randomUUID())))
                .post("/v1/connected-accounts").then().statusCode(201).extract().path("id");
        JsonPath refused = execute("github_get_item", Map.of("entityId", entity, "input", Map.of("id", "amb")), 409);
        // the surface's envelope; the candidates are named in its error
        assertEquals(false, refused.getBoolean("successful"));
        assertTrue(refused.getString("error").contains(byEntity) && refused.getString("error").contains(byUser),
                refused.getString("error"));
        assertTrue(stub.receivedUnder("/items/amb").isEmpty(), "nothing was called");
        // naming one of them works
        execute("github_get_item", Map.of("connectedAccountId", byUser, "input", Map.of("id", "amb")), 200);
    }

    @Test
    void executeWithAnAccountByIdOrByEntity() {
        String token = "gh_" + UUID.randomUUID();
        String id = account("entity-1", token);
        JsonPath byId = execute("github_get_item",
                Map.of("connectedAccountId", id, "appName", "github", "input", Map.of("id", "a1")), 200);
        assertEquals(Set.of("data", "successful", "successfull", "error", "logId", "sessionInfo"),
                byId.getMap("").keySet());
        assertEquals(Map.of("id", "i", "price", 3), byId.getMap("data"));
        assertEquals(true, byId.getBoolean("successful"));
        assertEquals(true, byId.getBoolean("successfull"));
        assertNull(byId.get("error"));
        assertNull(byId.get("logId"), "no log id without allowTracing");
        assertEquals("Bearer " + token, stub.receivedUnder("/items/a1").get(0).header("Authorization"));

        JsonPath byEntity = execute("github_get_item", Map.of("entityId", "entity-1", "input", Map.of("id", "a2"),
                "allowTracing", true, "sessionInfo", Map.of("sessionId", "s1")), 200);
        assertEquals(true, byEntity.getBoolean("successful"));
        assertEquals("s1", byEntity.getString("sessionInfo.sessionId"));
        String logId = byEntity.getString("logId");
        // the caller reads the end it was answered with (ADR 0044)
        as(api, owner.apiKey()).get("/v1/runs/" + logId).then().statusCode(200).body("status", equalTo("SUCCESS"));
        assertEquals("Bearer " + token, stub.receivedUnder("/items/a2").get(0).header("Authorization"));
    }

    @Test
    void authConfigIsUsedForThisCallOnlyAndNeverStored() throws Exception {
        String token = "cfg_" + UUID.randomUUID();
        long accounts = (Long) query("select count(*) from api.connected_accounts").get(0).get(0);
        JsonPath result = execute("github_get_item",
                Map.of("entityId", "nobody", "authConfig", Map.of("token", token), "input", Map.of("id", "c1")), 200);
        assertEquals(true, result.getBoolean("successful"));
        assertEquals("Bearer " + token, stub.receivedUnder("/items/c1").get(0).header("Authorization"));
        assertEquals(accounts, (Long) query("select count(*) from api.connected_accounts").get(0).get(0));
        assertEquals(0L,
                query("select count(*) from api.runs r where strpos(r::text, '" + token + "') > 0").get(0).get(0));
    }

    @Test
    void aFailedActionIsUnsuccessfulWithItsError() {
        account("entity-f", "t-" + UUID.randomUUID());
        JsonPath failed = execute("github_broken", Map.of("entityId", "entity-f", "input", Map.of("id", "f")), 200);
        assertEquals(false, failed.getBoolean("successful"));
        assertEquals(false, failed.getBoolean("successfull"));
        assertEquals("the integration answered HTTP 500", failed.getString("error"));
    }

    @Test
    void theActionsSchemaAndTheConnectedAccounts() {
        String token = "list_" + UUID.randomUUID();
        account("entity-l", token);
        JsonPath schema = as(api, owner.apiKey()).get("/api/v2/actions/github_get_item").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("github_get_item", schema.getString("name"));
        assertEquals("github", schema.getString("appName"));
        assertEquals(List.of("id"), schema.getList("parameters.required"));
        String listed = as(api, owner.apiKey()).get("/api/v1/connectedAccounts?user_uuid=entity-l").then()
                .statusCode(200).body("items.size()", equalTo(1)).body("items[0].appName", equalTo("github"))
                .body("items[0].status", equalTo("ACTIVE")).extract().asString();
        assertFalse(listed.contains(token), listed);
    }

    @Test
    void badInputAndAnotherOwnersIds() {
        execute("nope", Map.of("input", Map.of()), 404);
        execute("github_get_item", Map.of("input", "text"), 422);
        execute("github_get_item", Map.of("appName", "gitlab", "input", Map.of("id", "x")), 422);
        execute("github_get_item", Map.of("text", "get item x"), 422);
        execute("github_get_item", Map.of("version", "two", "input", Map.of("id", "x")), 422);
        execute("github_get_item", Map.of("authConfig", Map.of("apiKey", "x"), "input", Map.of("id", "x")), 422);
        // no connection and no authConfig: the integration needs one
        execute("github_get_item", Map.of("entityId", "stranger", "input", Map.of("id", "x")), 409);
        Owner other = owner(api);
        String theirs = as(api, other.apiKey())
                .body(Map.of("key", "github", "name", "GitHub", "baseUrl", stub.baseUrl(), "auth",
                        Map.of("type", "bearer")))
                .post("/v1/integrations").then().statusCode(201).extract().path("key");
        String otherAccount = as(api, other.apiKey())
                .body(Map.of("integrationKey", theirs, "entityId", "e", "credentials", Map.of("token", "t")))
                .post("/v1/connected-accounts").then().statusCode(201).extract().path("id");
        execute("github_get_item", Map.of("connectedAccountId", otherAccount, "input", Map.of("id", "x")), 404);
        as(api, other.apiKey()).get("/api/v2/actions/github_get_item").then().statusCode(404);
        io.restassured.RestAssured.given().baseUri(api.url()).contentType("application/json").body(Map.of())
                .post("/api/v2/actions/github_get_item/execute").then().statusCode(401);
    }
}

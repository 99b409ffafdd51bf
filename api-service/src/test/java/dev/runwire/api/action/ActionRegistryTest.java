package dev.runwire.api.action;

import static dev.runwire.api.Owners.action;
import static dev.runwire.api.Owners.as;
import static dev.runwire.api.Owners.integration;
import static dev.runwire.api.Owners.newOwnerKey;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.runwire.api.Rows;

@QuarkusTest
class ActionRegistryTest {

    @Inject
    Rows rows;

    String key;

    @BeforeEach
    void owner() {
        key = newOwnerKey();
        integration(key, "stub", "http://127.0.0.1:9");
    }

    @Test
    void createGetListVersionAndDeactivate() {
        as(key).body(action("get_item", "stub")).post("/v1/actions").then().statusCode(201)
                .body("key", equalTo("get_item")).body("version", equalTo(1)).body("status", equalTo("active"))
                .body("inputSchema.required[0]", equalTo("id")).body("useDefaultMapping", equalTo(true));

        Map<String, Object> changed = new HashMap<>(action("get_item", "stub"));
        changed.put("intent", "Get an item, v2");
        as(key).body(changed).put("/v1/actions/get_item").then().statusCode(200).body("version", equalTo(2))
                .body("intent", equalTo("Get an item, v2"));

        as(key).get("/v1/actions/get_item").then().statusCode(200).body("version", equalTo(2));
        as(key).get("/v1/actions/get_item?version=1").then().statusCode(200).body("version", equalTo(1)).body("intent",
                equalTo("Get an item"));
        as(key).get("/v1/actions").then().statusCode(200).body("size()", equalTo(1)).body("[0].version", equalTo(2));

        as(key).delete("/v1/actions/get_item").then().statusCode(200).body("status", equalTo("inactive"));
        as(key).get("/v1/actions/get_item").then().statusCode(200).body("status", equalTo("inactive"));
    }

    @Test
    void badInputIsRefusedAndWritesNothing() {
        long before = rows.count("actions");

        as(key).body("{\"key\": \"x\", ").post("/v1/actions").then().statusCode(400).body("errors[0].code",
                equalTo("malformed_json"));
        as(key).body("{\"key\":\"x\",\"intent\":\"i\",\"useDefaultMapping\":\"maybe\"}").post("/v1/actions").then()
                .statusCode(400).body("errors[0].source.pointer", equalTo("/useDefaultMapping"));
        as(key).body(without(action("a1", "stub"), "intent")).post("/v1/actions").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/intent"));
        as(key).body(without(action("a1", "stub"), "http")).post("/v1/actions").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/http"));

        Map<String, Object> invalidSchema = new HashMap<>(action("a2", "stub"));
        invalidSchema.put("inputSchema", Map.of("type", 12));
        as(key).body(invalidSchema).post("/v1/actions").then().statusCode(422)
                .body("errors[0].code", equalTo("invalid_schema"))
                // the schema, or the refused part inside it
                .body("errors[0].source.pointer", startsWith("/inputSchema"));

        Map<String, Object> remoteRef = new HashMap<>(action("a3", "stub"));
        remoteRef.put("outputSchema", Map.of("$ref", "http://127.0.0.1:9/schema.json"));
        as(key).body(remoteRef).post("/v1/actions").then().statusCode(422)
                .body("errors[0].code", equalTo("remote_ref_refused"))
                .body("errors[0].source.pointer", equalTo("/outputSchema"));

        Map<String, Object> unknownIntegration = new HashMap<>(action("a4", "stub"));
        unknownIntegration.put("http", Map.of("integrationKey", "nope", "method", "GET", "path", "/x"));
        as(key).body(unknownIntegration).post("/v1/actions").then().statusCode(422).body("errors[0].source.pointer",
                equalTo("/http/integrationKey"));

        String huge = "{\"key\":\"a5\",\"intent\":\"" + "x".repeat(1_100_000) + "\"}";
        as(key).body(huge).post("/v1/actions").then().statusCode(413);

        as(key).contentType("text/plain").body("hello").post("/v1/actions").then().statusCode(415)
                .body("errors[0].code", equalTo("unsupported_media_type"));

        assertEquals(before, rows.count("actions"));
    }

    @Test
    void badIntegrationsAndOwnersAreRefusedAndWriteNothing() {
        long integrations = rows.count("integrations");
        long owners = rows.count("owners");
        as(key).body(Map.of("key", "Bad Key!", "name", "x", "baseUrl", "http://127.0.0.1:9")).post("/v1/integrations")
                .then().statusCode(422).body("errors[0].source.pointer", equalTo("/key"));
        as(key).body(Map.of("key", "ok", "name", "x", "baseUrl", "ftp://127.0.0.1/")).post("/v1/integrations").then()
                .statusCode(422).body("errors[0].source.pointer", equalTo("/baseUrl"));
        as(key).body(Map.of("key", "ok", "baseUrl", "http://127.0.0.1:9")).post("/v1/integrations").then()
                .statusCode(422).body("errors[0].source.pointer", equalTo("/name"));
        as(key).body(Map.of("key", "stub", "name", "x", "baseUrl", "http://127.0.0.1:9")).post("/v1/integrations")
                .then().statusCode(409).body("errors[0].code", equalTo("integration_exists"));
        as(key).body("[1,2]").post("/v1/integrations").then().statusCode(400);
        io.restassured.RestAssured.given().contentType("application/json")
                .header("Authorization", "Bearer test-admin-token").body(Map.of("name", "")).post("/admin/owners")
                .then().statusCode(422).body("errors[0].source.pointer", equalTo("/name"));
        assertEquals(integrations, rows.count("integrations"));
        assertEquals(owners, rows.count("owners"));
    }

    @Test
    void unknownThingsAnswerJsonErrors() {
        as(key).get("/v1/actions/nope").then().statusCode(404).body("errors[0].code", equalTo("not_found"));
        as(key).get("/v1/no-such-route").then().statusCode(404).body("errors[0].status", equalTo(404));
        as(key).patch("/v1/actions").then().statusCode(405).body("errors[0].code", equalTo("method_not_allowed"));
        as(key).body(action("dup", "stub")).post("/v1/actions").then().statusCode(201);
        as(key).body(action("dup", "stub")).post("/v1/actions").then().statusCode(409).body("errors[0].code",
                equalTo("action_exists"));
    }

    @Test
    void anotherOwnerSeesNothing() {
        as(key).body(action("private_item", "stub")).post("/v1/actions").then().statusCode(201);
        String other = newOwnerKey();
        as(other).get("/v1/actions/private_item").then().statusCode(404);
        as(other).get("/v1/actions").then().statusCode(200).body("key", not(hasItem("private_item")));
        as(other).body(action("private_item", "stub")).put("/v1/actions/private_item").then().statusCode(404);
        as(other).delete("/v1/actions/private_item").then().statusCode(404);
        as(other).get("/v1/integrations/stub").then().statusCode(404);
        as(key).get("/v1/actions/private_item").then().statusCode(200).body("status", equalTo("active"));
    }

    @Test
    void missingOrWrongKeyIsUnauthorized() {
        io.restassured.RestAssured.given().get("/v1/actions").then().statusCode(401).body("errors[0].code",
                equalTo("unauthorized"));
        as("rw_not-a-key").get("/v1/actions").then().statusCode(401);
        io.restassured.RestAssured.given().header("Authorization", "Bearer " + key).get("/v1/actions").then()
                .statusCode(200);
        io.restassured.RestAssured.given().contentType("application/json").body(Map.of("name", "x"))
                .post("/admin/owners").then().statusCode(401)
                .body("errors[0].detail", not(containsString("Exception")));
    }

    @Test
    void concurrentChangesEachBecomeAVersionAndAKeyIsCreatedOnce() throws Exception {
        List<Callable<Response>> creations = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            creations.add(() -> as(key).body(action("raced", "stub")).post("/v1/actions"));
        }
        List<Integer> created = statuses(creations);
        assertEquals(1, created.stream().filter(s -> s == 201).count(), created.toString());
        assertEquals(creations.size() - 1, created.stream().filter(s -> s == 409).count(), created.toString());
        String keyCreatedAt = as(key).get("/v1/actions/raced").then().statusCode(200).extract().path("createdAt");

        List<Callable<Response>> changes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> changed = new HashMap<>(action("raced", "stub"));
            changed.put("intent", "change " + i);
            changes.add(() -> as(key).body(changed).put("/v1/actions/raced"));
        }
        assertEquals(List.of(200, 200, 200), statuses(changes));

        as(key).get("/v1/actions/raced").then().statusCode(200).body("version", equalTo(4)).body("createdAt",
                equalTo(keyCreatedAt));
        for (int version = 1; version <= 4; version++) {
            as(key).get("/v1/actions/raced?version=" + version).then().statusCode(200).body("version", equalTo(version))
                    .body("createdAt", equalTo(keyCreatedAt));
        }
        as(key).get("/v1/actions/raced?version=5").then().statusCode(404);
    }

    @Test
    void deactivatingSwitchesOffEveryVersionAndANewVersionIsActive() {
        as(key).body(action("switch", "stub")).post("/v1/actions").then().statusCode(201);
        as(key).body(action("switch", "stub")).put("/v1/actions/switch").then().statusCode(200);
        as(key).delete("/v1/actions/switch").then().statusCode(200).body("version", equalTo(2)).body("status",
                equalTo("inactive"));
        as(key).get("/v1/actions/switch?version=1").then().statusCode(200).body("status", equalTo("inactive"));
        as(key).get("/v1/actions").then().statusCode(200).body("find { it.key == 'switch' }.status",
                equalTo("inactive"));
        as(key).body(action("switch", "stub")).put("/v1/actions/switch").then().statusCode(200)
                .body("version", equalTo(3)).body("status", equalTo("active"));
        as(key).delete("/v1/actions/nope").then().statusCode(404);

        Map<String, Object> unknownIntegration = new HashMap<>(action("switch", "stub"));
        unknownIntegration.put("http", Map.of("integrationKey", "nope", "method", "GET", "path", "/x"));
        as(key).body(unknownIntegration).put("/v1/actions/switch").then().statusCode(422).body("errors[0].code",
                equalTo("unknown_integration"));
        as(key).get("/v1/actions/switch").then().statusCode(200).body("version", equalTo(3));
    }

    /** The statuses of requests sent at once, in order. */
    private static List<Integer> statuses(List<Callable<Response>> requests) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(requests.size());
        try {
            List<Integer> statuses = new ArrayList<>();
            for (Future<Response> answer : threads.invokeAll(requests)) {
                Response response = answer.get();
                statuses.add(response.statusCode());
                if (response.statusCode() == 409) {
                    assertEquals("action_exists", response.path("errors[0].code"));
                }
            }
            return statuses;
        } finally {
            threads.shutdownNow();
        }
    }

    private static Map<String, Object> without(Map<String, Object> body, String field) {
        Map<String, Object> copy = new HashMap<>(body);
        copy.remove(field);
        return copy;
    }
}

package dev.runwire.api;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Creates fresh owners through the admin endpoint, so each test starts from its own data. */
public final class Owners {

    private Owners() {
    }

    /** An owner: its id and its API key. */
    public record Owner(UUID id, String key) {
    }

    /** A new owner. */
    public static Owner newOwner() {
        var created = given().contentType(ContentType.JSON).header("Authorization", "Bearer test-admin-token")
                .body(Map.of("name", "owner-" + UUID.randomUUID())).post("/admin/owners").then().statusCode(201)
                .extract();
        return new Owner(UUID.fromString(created.path("ownerId")), created.path("apiKey"));
    }

    /** A new owner; returns its API key. */
    public static String newOwnerKey() {
        return newOwner().key();
    }

    /** A request authenticated as the owner of {@code key}. */
    public static RequestSpecification as(String key) {
        return given().contentType(ContentType.JSON).header("x-api-key", key);
    }

    /** Registers an integration pointing at {@code baseUrl}. */
    public static void integration(String key, String integrationKey, String baseUrl) {
        as(key).body(Map.of("key", integrationKey, "name", "Test " + integrationKey, "baseUrl", baseUrl))
                .post("/v1/integrations").then().statusCode(201);
    }

    /** A valid action body for {@code integrationKey}. */
    public static Map<String, Object> action(String actionKey, String integrationKey) {
        return Map.of("key", actionKey, "intent", "Get an item", "inputSchema",
                Map.of("type", "object", "properties",
                        Map.of("id", Map.of("type", "string", "minLength", 1), "count",
                                Map.of("type", "integer", "minimum", 1)),
                        "required", java.util.List.of("id")),
                "outputSchema", Map.of("type", "object"), "useDefaultMapping", true, "type", "http", "http",
                Map.of("integrationKey", integrationKey, "method", "GET", "path", "/items/{id}"), "timeoutMs", 2000);
    }
}

package dev.runwire.system.support;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * The environment the packaged services run in (real Kafka, real PostgreSQL, taken from the test's environment with the
 * defaults of {@code ./runwire test}), and helpers to drive them.
 */
public final class SystemUnderTest {

    public static final String KAFKA = env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092");
    public static final String JDBC_URL = env("QUARKUS_DATASOURCE_JDBC_URL",
            "jdbc:postgresql://127.0.0.1:5432/runwire_test");
    /**
     * A second database, for replicas configured unlike the shared ones: the api-service replicas of one database are
     * one deployment (any of them may send another's callbacks), so differently configured ones need their own.
     */
    public static final String JDBC_URL_2 = JDBC_URL + "_2";
    public static final String DB_USER = env("QUARKUS_DATASOURCE_USERNAME", "runwire");
    public static final String DB_PASSWORD = env("QUARKUS_DATASOURCE_PASSWORD", "runwire");
    public static final String ADMIN_TOKEN = UUID.randomUUID().toString();
    public static final String SECRETS_KEY = randomKey();

    private SystemUnderTest() {
    }

    /** Environment of a service process; {@code extra} overrides. */
    public static Map<String, String> serviceEnv(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", KAFKA);
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", JDBC_URL.replaceFirst("^jdbc:", ""));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", JDBC_URL);
        env.put("QUARKUS_DATASOURCE_USERNAME", DB_USER);
        env.put("QUARKUS_DATASOURCE_PASSWORD", DB_PASSWORD);
        env.put("QUARKUS_DEVSERVICES_ENABLED", "false");
        // up to eight service processes run at once in the tests; PostgreSQL's default 100 connections must hold them
        env.put("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE", "10");
        // the stubs listen on 127.0.0.1 over http: allowed explicitly, everything else private stays refused
        env.put("RUNWIRE_EGRESS_ALLOW", "127.0.0.1/32");
        env.put("RUNWIRE_EGRESS_REQUIRE_HTTPS", "false");
        env.put("RUNWIRE_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("RUNWIRE_SECRETS_KEY", SECRETS_KEY);
        env.put("RUNWIRE_SECRETS_KEY_ID", "test-1");
        env.put("RUNWIRE_RUN_SYNC_WAIT", "10s");
        // the tests send many requests with one key; RateLimitIT runs with the product's default
        env.put("RUNWIRE_RATE_LIMIT_DEFAULT_LIMIT", "1000000");
        env.putAll(extra);
        return env;
    }

    /** An owner created for one test, so tests never see each other's data. */
    public record Owner(String id, String apiKey) {
    }

    /** Creates an owner through the admin endpoint. */
    public static Owner owner(ServiceProcess api) {
        String name = "owner-" + UUID.randomUUID();
        JsonPath created = given().baseUri(api.url()).contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + ADMIN_TOKEN).body(Map.of("name", name)).post("/admin/owners")
                .then().statusCode(201).body("name", equalTo(name)).body("apiKey", startsWith("rw_")).extract()
                .jsonPath();
        return new Owner(created.getString("ownerId"), created.getString("apiKey"));
    }

    /** Creates an owner through the admin endpoint and returns its API key. */
    public static String newOwner(ServiceProcess api) {
        return owner(api).apiKey();
    }

    public static RequestSpecification as(ServiceProcess api, String key) {
        return given().baseUri(api.url()).contentType(ContentType.JSON).header("x-api-key", key);
    }

    public static void integration(ServiceProcess api, String key, String integrationKey, String baseUrl) {
        as(api, key).body(Map.of("key", integrationKey, "name", integrationKey, "baseUrl", baseUrl))
                .post("/v1/integrations").then().statusCode(201);
    }

    /**
     * Registers a GET action on {@code pathPrefix/{id}} with the given timeout: query {@code q={q}}, header
     * {@code X-Trace: {trace}}, output {@code {id: string, price: number}}, the response as the output; declared
     * read-only ({@code sideEffects: none}), so a call that timed out is tried again like any read.
     */
    public static void action(ServiceProcess api, String key, String actionKey, String integrationKey,
            String pathPrefix, int timeoutMs) {
        as(api, key)
                .body(Map
                        .of("key", actionKey, "intent", "Get an item", "inputSchema", Map.of("type", "object",
                                "properties", Map.of("id", Map.of("type", "string")), "required", List.of("id")),
                                "outputSchema",
                                Map.of("type", "object", "properties",
                                        Map.of("id", Map.of("type", "string"), "price", Map.of("type", "number")),
                                        "required", List.of("id", "price")),
                                "useDefaultMapping", true, "type", "http", "http",
                                Map.of("integrationKey", integrationKey, "method", "GET", "path", pathPrefix + "/{id}",
                                        "query", Map.of("q", "{q}"), "headers", Map.of("X-Trace", "{trace}")),
                                "timeoutMs", timeoutMs, "sideEffects", "none"))
                .post("/v1/actions").then().statusCode(201);
    }

    /**
     * Waits until a run goes through the whole system within the api's synchronous wait: a freshly started executor may
     * not have its partitions yet, and a test that counts on a synchronous answer must not race that.
     */
    public static void awaitFlowing(ServiceProcess api) {
        try (Stub stub = new Stub()) {
            stub.on("/warm/", 200, "{\"id\":\"w\",\"price\":0}", 0);
            String key = newOwner(api);
            integration(api, key, "warm", stub.baseUrl());
            action(api, key, "warm", "warm", "/warm", 2_000);
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> as(api, key).body(Map.of("key", "warm", "userId", "u", "input", Map.of("id", "w")))
                            .post("/v1/actions/run").statusCode() == 200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new owner with an integration {@code stub} on the stub and a GET action per name on {@code /name/{id}}. */
    public static Owner ownerWithActions(ServiceProcess api, Stub stub, String... actions) {
        Owner owner = owner(api);
        integration(api, owner.apiKey(), "stub", stub.baseUrl());
        for (String name : actions) {
            action(api, owner.apiKey(), name, "stub", "/" + name, 20_000);
        }
        return owner;
    }

    /** Number of runs of an owner in the database. */
    public static long runCount(String ownerId) throws SQLException {
        return (Long) query("select count(*) from api.runs where owner_id = '" + ownerId + "'").get(0).get(0);
    }

    /** The environment that points an api-service at the second database. */
    public static Map<String, String> secondDatabase() {
        return Map.of("QUARKUS_DATASOURCE_REACTIVE_URL", JDBC_URL_2.replaceFirst("^jdbc:", ""),
                "QUARKUS_DATASOURCE_JDBC_URL", JDBC_URL_2);
    }

    public static Connection db() throws SQLException {
        return DriverManager.getConnection(JDBC_URL, DB_USER, DB_PASSWORD);
    }

    /** Rows of a query, each as the list of its column values. */
    public static List<List<Object>> query(String sql) throws SQLException {
        return query(JDBC_URL, sql);
    }

    /** Rows of a query on the database at {@code jdbcUrl}. */
    public static List<List<Object>> query(String jdbcUrl, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, DB_USER, DB_PASSWORD);
                Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            List<List<Object>> result = new ArrayList<>();
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(rows.getObject(i));
                }
                result.add(row);
            }
            return result;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}

package dev.runwire.system.input;

import static dev.runwire.system.support.SystemUnderTest.ADMIN_TOKEN;
import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.restassured.RestAssured;

import dev.runwire.model.json.Json;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.RawHttp;
import dev.runwire.system.support.RawHttp.Reply;
import dev.runwire.system.support.SchemaBombs;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SharedExecutor;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;
import dev.runwire.system.support.SystemUnderTest.Owner;
import dev.runwire.system.support.Talkover;

/**
 * The project's own bad-input suite, generated from the api-service's served OpenAPI document: every POST, PUT, PATCH
 * and DELETE of every surface gets malformed, mistyped, oversized, deep, NUL-, invalid-UTF-8- and CR/LF-bearing bodies,
 * hostile path parameters, and (where a JSON Schema is taken) schema bombs. Each case must answer a 4xx in its
 * surface's error shape, without a class name or stack trace, within 2 s, writing no row; afterwards both services are
 * healthy and a normal run succeeds. An operation added to the API is covered without anyone remembering to: only the
 * few operations that need an existing resource or a known-good body have an entry in {@link #fixtures()}.
 * <p>
 * Every failure is collected, not just the first, so the assertion message is a worklist.
 */
class BadInputIT {

    /** The slowest acceptable answer to a bad request. */
    static final long LIMIT_MS = 2_000;
    /** How long a case waits before it counts as unanswered (longer than the limit, to say how slow it was). */
    static final int TIMEOUT_MS = 6_000;
    /** The api-service's {@code quarkus.http.limits.max-body-size} is 1 MiB. */
    static final int OVER_LIMIT = 1_536 * 1_024;
    static final String MARK = "__bad_input_mark__";
    /**
     * What a class name, a package or a stack frame looks like in a body: literal text, searched in linear time (a body
     * may echo a huge string).
     */
    static final List<String> LEAKS = List.of("Exception", "StackOverflowError", "OutOfMemoryError", "\tat ",
            "at java.", "at dev.", "at io.", "at org.", "java.lang", "java.util", "java.io", "javax.", "jakarta.",
            "com.fasterxml", "io.vertx", "io.netty", "io.quarkus", "io.smallrye", "org.hibernate", "org.everit",
            "org.jboss", "dev.runwire");
    /** Body fields that take a JSON Schema. */
    static final Pattern SCHEMA_FIELD = Pattern
            .compile("(?i)(input|output)_?schema|input_json_schema|json_?schema|parameters");
    /**
     * Text a person reads, stored as given: a CR/LF in it is legitimate data (a multi-line description) and may be
     * accepted. It never becomes a header, a URL or a path segment. Everything else that is a string - keys and ids
     * (echoed in URLs and paths), URLs, header names and values, credentials, enum values, and the inputs of runs
     * (rendered into an action's path, query and header templates) - must refuse CR/LF.
     */
    static final Set<String> FREE_TEXT = Set.of("description", "title", "label", "intent", "context", "note", "text",
            "customDescription", "systemPrompt", "name");

    /**
     * Data a run carries and opaque ids: stored and echoed as JSON, sent as a JSON body or percent-encoded into a path
     * or query, never raw into a header; a CR/LF (or a long string, within the body limit) in them is data. A value a
     * header template renders is the exception, and the api-service refuses it (the fixtures' action has
     * {@code X-Trace: {trace}}, so {@code /input/trace} stays a must-refuse case).
     */
    static final Pattern RUN_DATA = Pattern.compile(
            "(/data)?/inputs?/(?!trace$).*|/plan/steps/\\d+/input/(?!trace$).*|/(data/)?(userId|user_id|entityId|page)");

    /**
     * Operations whose every field is optional by design (run a stored action with its stored inputs; recover every
     * failed delivery): no body means the defaults.
     */
    static final Set<String> OPTIONAL_BODY = Set.of("POST /actions/v1/stored-actions/{id}/run",
            "POST /v1/callbacks/recover");

    enum Surface {
        NATIVE, ZAPIER, TALKOVER, COMPOSIO
    }

    /** One operation of the OpenAPI document. */
    record Operation(String method, String template, JsonNode requestSchema, Surface surface) {
        String id() {
            return method + " " + template;
        }
    }

    /**
     * What an operation needs beyond its schema: real path parameter values, a body that would be accepted (with
     * {@code $U} replaced by a unique suffix), the fields it requires where the document does not say, and JSON
     * pointers under which CR/LF is legitimate data.
     */
    record Fixture(Map<String, String> pathValues, String body, List<String> required, List<String> crlfStorable) {
    }

    /** One bad request and what it is. */
    record Case(Operation op, String kind, String target, String contentType, byte[] body, boolean chunked,
            boolean may2xx) {
        Case {
            // each case its own keys and names, so no case is refused only as a duplicate of an accepted one
            body = body == null ? null : fresh(body);
        }
    }

    @SharedApi
    static ServiceProcess api;
    @SharedExecutor
    static ServiceProcess executor;
    @NewStub
    static Stub stub;
    @NewOwner
    static Owner owner;
    @NewOwner
    static Owner victim;
    static String storedActionId;
    static String agentId;
    static String agentActionId;
    static String accountId;
    static String mcpServerId;
    static Connection db;
    /** The document's component schemas. */
    static JsonNode components;
    /** Per table of the api schema, the query that counts this suite's rows. */
    static Map<String, String> tables;
    static final AtomicInteger unique = new AtomicInteger();

    @BeforeAll
    static void setUp() throws Exception {
        stub.on("/item/", 200, "{\"id\":\"i\",\"price\":2}", 0);
        stub.on("/schedule", 200, "{\"booked\":true}", 0);
        stub.on("/hook/", 200, "{}", 0);
        // thousands of requests from one key: a client to test, not one to rate-limit (as the benchmark's owners)
        RestAssured.given().baseUri(api.url()).contentType("application/json")
                .header("Authorization", "Bearer " + ADMIN_TOKEN).body("{\"exempt\":true}")
                .put("/admin/owners/" + owner.id() + "/rate-limit").then().statusCode(200);
        String key = owner.apiKey();
        integration(api, key, "stub", stub.baseUrl());
        action(api, key, "item", "stub", "/item", 5_000);
        action(api, key, "put_target", "stub", "/item", 5_000);
        as(api, key).body(
                Map.of("key", "gh", "name", "GitHub", "baseUrl", stub.baseUrl(), "auth", Map.of("type", "bearer")))
                .post("/v1/integrations").then().statusCode(201);
        action(api, key, "gh_item", "gh", "/item", 5_000);
        as(api, key)
                .body(Map.of("key", "keyed", "name", "Keyed", "baseUrl", stub.baseUrl(), "auth",
                        Map.of("type", "api_key", "in", "header", "name", "X-Api-Key")))
                .post("/v1/integrations").then().statusCode(201);
        integration(api, key, "patchme", stub.baseUrl());
        as(api, key).body(Map.of("integrationKey", "gh", "entityId", "ent-1", "credentials", Map.of("token", "tok-1")))
                .post("/v1/connected-accounts").then().statusCode(201);
        accountId = as(api, key)
                .body(Map.of("integrationKey", "keyed", "userId", "acct-user", "credentials", Map.of("apiKey", "k-1")))
                .post("/v1/connected-accounts").then().statusCode(201).extract().path("id");
        storedActionId = RestAssured.given().baseUri(api.url()).contentType("application/json")
                .header("Authorization", "Bearer " + key)
                .body(Map.of("data",
                        Map.of("selected_api", "stub", "action_type", "write", "action_key", "item", "inputs",
                                Map.of("id", "preset"), "title", "Get an item")))
                .post("/actions/v1/stored-actions").then().statusCode(201).extract().path("data.id");
        agentId = RestAssured.given().baseUri(api.url()).contentType("application/json")
                .header("Authorization", "Bearer " + key).body(Map.of("name", "Front desk", "description", "Calls"))
                .post("/api/v1/agents").then().statusCode(201).extract().path("data.id");
        agentActionId = RestAssured.given().baseUri(api.url()).contentType("application/json")
                .header("Authorization", "Bearer " + key)
                .body(Talkover.action("Schedule", "webhook", List.of(Talkover.field("date", "string", null)),
                        stub.baseUrl() + "/schedule", "active"))
                .post("/api/v1/agents/" + agentId + "/actions").then().statusCode(201).extract().path("data.id");
        mcpServerId = as(api, key).body(Map.of("userId", "mcp-user", "actionKeys", List.of("item")))
                .post("/v1/mcp-servers").then().statusCode(201).extract().path("id");
        db = SystemUnderTest.db();
        tables = new LinkedHashMap<>();
        String mine = "('" + owner.id() + "', '" + victim.id() + "')";
        try (Statement statement = db.createStatement();
                ResultSet rows = statement.executeQuery("select t.table_name, string_agg(c.column_name, ',')"
                        + " from information_schema.tables t join information_schema.columns c"
                        + " on c.table_schema = t.table_schema and c.table_name = t.table_name"
                        + " where t.table_schema = 'api' and t.table_type = 'BASE TABLE'"
                        + " group by t.table_name order by t.table_name")) {
            while (rows.next()) {
                String table = rows.getString(1);
                List<String> columns = List.of(rows.getString(2).split(","));
                if (columns.contains("delivery_id") || columns.contains("run_id") && !columns.contains("owner_id")
                        || table.equals("deliveries") || table.equals("idempotency_keys")) {
                    // an idempotency record keeps the first answer to a key, a refusal too, to replay it: it is the
                    // promise of idempotent requests, not a change the refused request made
                    // a run's events, outbox records, approvals and deliveries come from consumers once a run exists:
                    // the run is what a refused request must not have written, and it is counted in runs
                    continue;
                }
                // only this suite's rows; ledger entries of runs are a run's consequence, credits are not
                String filter = columns.contains("owner_id") && !table.equals("api_keys")
                        ? " where owner_id::text in " + mine + (columns.contains("run_id") ? " and run_id is null" : "")
                        : "";
                tables.put(rows.getString(1), "select count(*) from api." + rows.getString(1) + filter);
            }
        }
        // counters every request updates; the schema's migration history
        tables.keySet().removeAll(List.of("rate_windows", "flyway_schema_history"));
    }

    @AfterAll
    static void tearDown() throws SQLException {
        if (db != null) {
            db.close();
        }
    }

    /** Per-operation needs; an operation without an entry is driven from its schema alone, with random ids. */
    static Map<String, Fixture> fixtures() {
        String hook = stub.baseUrl() + "/hook/";
        String actionBody = "{\"key\":\"%s\",\"intent\":\"Get an item\",\"description\":\"Reads one item\","
                + "\"inputSchema\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}},"
                + "\"required\":[\"id\"]},\"outputSchema\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                + "\"string\"}}},\"useDefaultMapping\":true,\"type\":\"http\",\"http\":{\"integrationKey\":\"stub\","
                + "\"method\":\"GET\",\"path\":\"/item/{id}\",\"query\":{\"q\":\"{q}\"},\"headers\":{\"X-Trace\":"
                + "\"{trace}\"}},\"timeoutMs\":2000}";
        String runInput = "{\"id\":\"r$U\",\"q\":\"q\",\"trace\":\"t\"}";
        String passThrough = "[{\"customerIntegrationId\":\"stub\",\"headers\":{\"X-Pass\":\"v\"},"
                + "\"query\":{\"pq\":\"v\"}}]";
        Map<String, Fixture> f = new LinkedHashMap<>();
        f.put("POST /actions/v1/runs",
                new Fixture(Map.of(),
                        "{\"data\":{\"action\":\"item\",\"selected_api\":\"stub\"," + "\"inputs\":" + runInput
                                + ",\"callback_url\":\"" + hook + "z\",\"idempotency_id\":\"$ID\"}}",
                        List.of("/data", "/data/action"), List.of()));
        f.put("POST /actions/v1/stored-actions", new Fixture(Map.of(), "{\"data\":{\"selected_api\":\"stub\","
                + "\"action_type\":\"write\",\"action_key\":\"item\",\"inputs\":{\"id\":\"preset\",\"q\":\"p\"},"
                + "\"title\":\"Get an item\"}}", List.of("/data", "/data/selected_api", "/data/action_key"),
                List.of()));
        f.put("PATCH /actions/v1/stored-actions/{id}", new Fixture(Map.of("id", storedActionId),
                "{\"data\":{\"title\":\"Renamed\",\"inputs\":{\"id\":\"x\"}}}", List.of("/data"), List.of()));
        f.put("DELETE /actions/v1/stored-actions/{id}",
                new Fixture(Map.of("id", storedActionId), null, List.of(), List.of()));
        f.put("POST /actions/v1/stored-actions/{id}/run",
                new Fixture(Map.of("id", storedActionId), "{\"data\":{\"inputs\":" + runInput + ",\"callback_url\":\""
                        + hook + "s\",\"idempotency_id\":" + "\"$ID\",\"page\":\"0\"}}", List.of(), List.of()));
        f.put("POST /admin/owners", new Fixture(Map.of(), "{\"name\":\"bad-input-$U\"}", List.of("/name"), List.of()));
        f.put("PUT /admin/owners/{ownerId}/rate-limit", new Fixture(Map.of("ownerId", victim.id()),
                "{\"exempt\":false,\"limitOverride\":100}", List.of(), List.of()));
        f.put("POST /admin/owners/{ownerId}/tasks", new Fixture(Map.of("ownerId", victim.id()),
                "{\"tasks\":5,\"note\":\"credit\"}", List.of("/tasks"), List.of()));
        f.put("POST /api/v1/agents", new Fixture(Map.of(), "{\"name\":\"Agent $U\",\"description\":\"Answers calls\"}",
                List.of("/name"), List.of()));
        f.put("POST /api/v1/agents/{agentId}/actions",
                new Fixture(Map.of("agentId", agentId), Json.write(Talkover.action("Schedule $U", "webhook",
                        List.of(Talkover.field("date", "string", null)), stub.baseUrl() + "/schedule", "active")),
                        List.of("/name", "/type"), List.of()));
        f.put("DELETE /api/v1/agents/{agentId}/actions/{actionId}",
                new Fixture(Map.of("agentId", agentId, "actionId", agentActionId), null, List.of(), List.of()));
        // a webhook action POSTs its input as a JSON body: a line break in a value is data there
        f.put("POST /api/v1/agents/{agentId}/actions/{actionId}/run",
                new Fixture(Map.of("agentId", agentId, "actionId", agentActionId),
                        "{\"input\":{\"date\":\"2026-12-01\"},\"user_id\":\"caller-1\"}", List.of(),
                        List.of("/input")));
        f.put("POST /api/v2/actions/{actionId}/execute", new Fixture(Map.of("actionId", "gh_item"),
                "{\"entityId\":\"ent-1\",\"input\":" + runInput + "}", List.of(), List.of()));
        f.put("POST /v1/actions",
                new Fixture(Map.of(), String.format(actionBody, "bad_$U"), List.of("/key"), List.of()));
        // not "item": an accepted case would make a new version of the action the other fixtures run
        f.put("PUT /v1/actions/{key}", new Fixture(Map.of("key", "put_target"), String.format(actionBody, "put_target"),
                List.of(), List.of()));
        f.put("DELETE /v1/actions/{key}", new Fixture(Map.of("key", "item"), null, List.of(), List.of()));
        f.put("POST /v1/actions/run",
                new Fixture(Map.of(), "{\"key\":\"item\",\"userId\":\"u\",\"input\":" + runInput + ",\"passThrough\":"
                        + passThrough + ",\"callbackUrl\":\"" + hook + "r\"}", List.of("/key"), List.of()));
        f.put("POST /v1/callbacks/recover",
                new Fixture(Map.of(), "{\"since\":\"2026-12-01T00:00:00Z\"}", List.of(), List.of()));
        f.put("POST /v1/connected-accounts",
                new Fixture(Map.of(),
                        "{\"integrationKey\":\"keyed\",\"userId\":\"u-$U\",\"credentials\":{\"apiKey\":\"k-$U\"}}",
                        List.of("/integrationKey", "/credentials"), List.of()));
        f.put("DELETE /v1/connected-accounts/{id}", new Fixture(Map.of("id", accountId), null, List.of(), List.of()));
        f.put("POST /v1/integrations",
                new Fixture(Map.of(),
                        "{\"key\":\"int-$U\",\"name\":\"Integration $U\"," + "\"baseUrl\":\"" + stub.baseUrl()
                                + "\",\"auth\":{\"type\":\"api_key\",\"in\":\"header\"," + "\"name\":\"X-Api-Key\"}}",
                        List.of("/key", "/baseUrl"), List.of()));
        f.put("PATCH /v1/integrations/{key}", new Fixture(Map.of("key", "patchme"),
                "{\"name\":\"Patched\",\"baseUrl\":\"" + stub.baseUrl() + "\"}", List.of(), List.of()));
        f.put("DELETE /v1/integrations/{key}", new Fixture(Map.of("key", "patchme"), null, List.of(), List.of()));
        f.put("POST /v1/mcp-servers",
                new Fixture(Map.of(), "{\"name\":\"Agent $U\",\"userId\":\"u-$U\",\"actionKeys\":[\"item\"],"
                        + "\"integrationKeys\":[\"stub\"]}", List.of("/userId"), List.of()));
        f.put("DELETE /v1/mcp-servers/{id}", new Fixture(Map.of("id", mcpServerId), null, List.of(), List.of()));
        f.put("POST /v1/runs",
                new Fixture(Map.of(), "{\"intent\":\"bad input plan\",\"selectedCustomerIntegrationIds\":"
                        + "[\"*\"],\"context\":\"ctx\",\"userId\":\"plan-user\",\"outputSchema\":{\"type\":\"object\"},"
                        + "\"passThrough\":" + passThrough + ",\"callbackUrl\":\"" + hook
                        + "p\",\"plan\":{\"title\":\"Plan\","
                        + "\"description\":\"a plan\",\"steps\":[{\"id\":\"A\",\"description\":\"one step\","
                        + "\"dependsOnSteps\":[],\"action\":{\"key\":\"item\"},\"input\":" + runInput + "}]}}",
                        List.of("/intent", "/plan"), List.of()));
        // no approval is pending: every case is refused, and the body is still parsed first
        f.put("POST /v1/runs/approval", new Fixture(Map.of(), "{\"token\":\"not-issued\",\"input\":{\"id\":\"x\"}}",
                List.of("/token"), List.of()));
        f.put("POST /v1/runs/{runId}/steps/{stepId}/result",
                new Fixture(Map.of(), "{\"status\":\"SUCCESS\",\"output\":{\"ok\":true}}", List.of(), List.of()));
        // a random run: nothing waits for a resolution, and the body is still checked first
        f.put("POST /v1/runs/{runId}/resolve",
                new Fixture(Map.of(), "{\"outcome\":\"succeeded\",\"stepId\":\"A\",\"output\":{\"ok\":true}}",
                        List.of("/outcome"), List.of()));
        f.put("PUT /admin/owners/{ownerId}/approval-policy", new Fixture(Map.of("ownerId", victim.id()),
                "{\"approvalForDestructive\":\"default\"}", List.of("/approvalForDestructive"), List.of()));
        return f;
    }

    @Test
    void everyWriteOperationRefusesBadInputInItsOwnShape() throws Exception {
        long blockedBefore = blockedWarnings();
        JsonNode document = Json.tree(
                RestAssured.get(api.url() + "/q/openapi?format=json").then().statusCode(200).extract().asString());
        List<Operation> operations = operations(document);
        Map<String, Fixture> fixtures = fixtures();
        List<String> failures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, Integer> sent = new TreeMap<>();
        List<Case> ordinary = new ArrayList<>();
        List<Case> bombs = new ArrayList<>();
        for (Operation op : operations) {
            Fixture fixture = fixtures.get(op.id());
            if (fixture == null) {
                notes.add(op.id() + ": no fixture, driven from its schema with random ids");
                fixture = new Fixture(Map.of(), null, List.of(), List.of());
            }
            if (op.requestSchema() == null && needsBody(op)) {
                notes.add(op.id() + ": the document describes no request body");
            }
            generate(op, fixture, ordinary, bombs);
            sent.put(op.id(), 0);
        }
        // what the suite mutates must itself be accepted, or the cases prove less than they seem to
        for (Operation op : operations) {
            Fixture fixture = fixtures.get(op.id());
            if (fixture != null && fixture.body() != null) {
                Reply reply = send(op, target(op, fixture, Map.of()), "application/json", body(fixture), false);
                notes.add(op.id() + ": the unmodified body answers "
                        + (reply.status() < 300 ? String.valueOf(reply.status()) : reply.summary()));
            }
        }
        quiesce();

        boolean responsive = run(ordinary, failures, sent, true);
        // schema bombs last: on a service that validates schemas on its event loops they can stall it for minutes
        if (responsive) {
            responsive = run(bombs, failures, sent, true);
        } else {
            failures.add("(suite) " + bombs.size() + " schema-bomb cases not sent: the api-service stopped answering");
        }
        if (responsive) {
            backtrackingInputScenario(failures, notes, sent);
        }

        // afterwards: both services ready and an ordinary run succeeds
        for (ServiceProcess service : List.of(api, executor)) {
            Reply ready = RawHttp.send(service.managementPort, "GET", "/q/health/ready", Map.of(), null, false, 10_000);
            if (ready.status() != 200) {
                failures.add("(after) " + service.name + " /q/health/ready: " + ready.summary());
            }
        }
        Reply normal = send(
                operations.stream().filter(o -> o.id().equals("POST /v1/actions/run")).findFirst().orElseThrow(),
                "/v1/actions/run", "application/json",
                "{\"key\":\"item\",\"userId\":\"u\",\"input\":{\"id\":\"after\"}}".getBytes(StandardCharsets.UTF_8),
                false, 15_000);
        if (normal.status() != 200 || !normal.body().contains("\"price\":2")) {
            failures.add("(after) a normal POST /v1/actions/run: " + normal.summary());
        }
        long blocked = blockedWarnings() - blockedBefore;
        if (blocked > 0) {
            failures.add("(after) " + blocked + " \"Thread blocked\" warnings in the services' logs during the suite");
        }

        int total = sent.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder report = new StringBuilder(
                "Bad-input suite: " + total + " cases over " + operations.size() + " operations\n");
        sent.forEach((op, n) -> report.append(String.format("  %5d  %s%n", n, op)));
        notes.forEach(note -> report.append("  note: ").append(note).append('\n'));
        report.append(failures.size()).append(" failures\n");
        report.append(summary(failures));
        System.out.println(report);
        assertTrue(failures.isEmpty(), report + "\n" + String.join("\n", failures));
    }

    // ------------------------------------------------------------------ the document

    static List<Operation> operations(JsonNode document) {
        List<Operation> operations = new ArrayList<>();
        components = document.path("components").path("schemas");
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (String method : List.of("post", "put", "patch", "delete")) {
                JsonNode op = path.getValue().get(method);
                if (op == null) {
                    continue;
                }
                JsonNode schema = op.path("requestBody").path("content").path("application/json").get("schema");
                operations.add(new Operation(method.toUpperCase(Locale.ROOT), path.getKey(),
                        schema == null ? null : new Schemas(components).resolve(schema), surface(path.getKey())));
            }
        }
        return operations;
    }

    static Surface surface(String path) {
        if (path.startsWith("/api/v1/agents")) {
            return Surface.TALKOVER;
        }
        if (path.startsWith("/api/v2/") || path.startsWith("/api/v1/connectedAccounts")) {
            return Surface.COMPOSIO;
        }
        return path.startsWith("/actions/v1/") ? Surface.ZAPIER : Surface.NATIVE;
    }

    static boolean needsBody(Operation op) {
        return !op.method().equals("DELETE") && !op.template().endsWith("/redeliver")
                && !op.template().endsWith("/rotate") && !op.template().endsWith("/reseal");
    }

    /**
     * Component references resolved; the free-form JSON components (any value, an object, a JSON Schema) stand for any
     * JSON.
     */
    record Schemas(JsonNode components) {
        static final java.util.Set<String> ANY = java.util.Set.of("JsonValue", "JsonObject", "JsonSchema");

        JsonNode resolve(JsonNode schema) {
            String ref = refName(schema);
            return ref == null || ANY.contains(ref) ? schema : components.path(ref);
        }

        /** Whether a schema is one of the free-form ones. */
        static boolean any(JsonNode schema) {
            String ref = refName(schema);
            return ref != null && ANY.contains(ref);
        }

        static String refName(JsonNode schema) {
            JsonNode ref = schema.get("$ref");
            return ref == null ? null : ref.asText().substring(ref.asText().lastIndexOf('/') + 1);
        }
    }

    // ------------------------------------------------------------------ generating cases

    void generate(Operation op, Fixture fixture, List<Case> ordinary, List<Case> bombs) {
        boolean hasBody = op.requestSchema() != null;
        ObjectNode baseline = hasBody ? baseline(op, fixture) : null;
        String target = target(op, fixture, Map.of());
        // hostile path parameters, with an otherwise acceptable request
        for (String param : pathParams(op.template())) {
            Map<String, String> hostile = new LinkedHashMap<>();
            hostile.put("nul", "%00");
            hostile.put("invalid_utf8", "%C3%28%FF");
            hostile.put("bad_percent", "%zz");
            hostile.put("crlf", "x%0D%0AX-Injected:%201");
            hostile.put("unknown", UUID.randomUUID().toString());
            hostile.put("url_9kib", "a".repeat(9_000));
            hostile.forEach((name,
                    value) -> ordinary.add(new Case(op, "path_" + name + " {" + param + "}",
                            target(op, fixture, Map.of(param, value)), hasBody ? "application/json" : null,
                            hasBody ? bytes(baseline) : null, false, false)));
        }
        if (!hasBody) {
            return;
        }
        List<String> strings = stringLeaves(baseline, "", false);
        String firstString = strings.isEmpty() ? null : strings.get(0);
        ordinary.add(raw(op, target, "malformed_json", "{\"" + first(baseline) + "\": "));
        ordinary.add(raw(op, target, "empty_body", "", OPTIONAL_BODY.contains(op.id())));
        ordinary.add(raw(op, target, "null_body", "null", OPTIONAL_BODY.contains(op.id())));
        ordinary.add(raw(op, target, "array_body", "[]"));
        ordinary.add(raw(op, target, "trailing_garbage", Json.write(baseline) + "}{"));
        ordinary.add(
                new Case(op, "wrong_content_type text/plain", target, "text/plain", bytes(baseline), false, false));
        ordinary.add(new Case(op, "wrong_content_type form", target, "application/x-www-form-urlencoded",
                "a=1&b=2".getBytes(StandardCharsets.UTF_8), false, false));
        ordinary.add(
                replaced(op, target, "over_limit", baseline, "/padding", "\"" + "x".repeat(OVER_LIMIT) + "\"", false));
        ordinary.add(replaced(op, target, "over_limit_chunked", baseline, "/padding",
                "\"" + "x".repeat(OVER_LIMIT) + "\"", true));
        String deepAt = firstContainer(baseline);
        ordinary.add(replaced(op, target, "deep_nesting_10000 at " + deepAt, baseline, deepAt,
                "[".repeat(10_000) + "]".repeat(10_000), false));
        ordinary.add(
                replaced(op, target, "long_number_5000_digits", baseline, "/padding", "1" + "0".repeat(5_000), false));
        if (firstString != null) {
            Case huge = replaced(op, target, "huge_string_900KiB at " + firstString, baseline, firstString,
                    "\"" + "x".repeat(900 * 1_024) + "\"", false);
            // a run's data may be this long (within the body limit); a named field may not
            ordinary.add(new Case(huge.op(), huge.kind(), huge.target(), huge.contentType(), huge.body(), false,
                    RUN_DATA.matcher(firstString).matches()));
            ObjectNode marked = baseline.deepCopy();
            set(marked, firstString, TextNode.valueOf(MARK));
            byte[] utf8 = replace(bytes(marked), MARK.getBytes(StandardCharsets.US_ASCII),
                    new byte[] { 'a', (byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE, 'b' });
            ordinary.add(
                    new Case(op, "invalid_utf8 at " + firstString, target, "application/json", utf8, false, false));
        }
        String key = first(baseline);
        JsonNode firstValue = baseline.get(key);
        String duplicate = "{\"" + key + "\":"
                + Json.write(firstValue.isTextual() ? TextNode.valueOf("dup") : firstValue) + ","
                + Json.write(baseline).substring(1);
        ordinary.add(raw(op, target, "duplicate_key /" + key, duplicate));

        for (Map.Entry<String, JsonNode> wrong : wrongTypes(op, baseline).entrySet()) {
            ObjectNode body = baseline.deepCopy();
            set(body, wrong.getKey(), wrong.getValue());
            ordinary.add(json(op, target, "wrong_type " + wrong.getKey(), body, false));
        }
        List<String> required = new ArrayList<>(fixture.required());
        op.requestSchema().path("required").forEach(name -> required.add("/" + name.asText()));
        for (String pointer : required.stream().distinct().toList()) {
            ObjectNode body = baseline.deepCopy();
            remove(body, pointer);
            ordinary.add(json(op, target, "missing_required " + pointer, body, false));
        }
        for (String pointer : strings) {
            ObjectNode body = baseline.deepCopy();
            set(body, pointer, TextNode.valueOf("a\u0000b"));
            ordinary.add(json(op, target, "nul " + pointer, body, false));
        }
        for (String pointer : stringLeaves(baseline, "", true)) {
            ObjectNode body = baseline.deepCopy();
            set(body, pointer, TextNode.valueOf("v\r\nX-Injected: 1"));
            String leaf = pointer.substring(pointer.lastIndexOf('/') + 1);
            // "name" is text only as the resource's own name: an auth scheme's name is a header name
            boolean storable = FREE_TEXT.contains(leaf) && (!leaf.equals("name") || pointer.equals("/name"))
                    || RUN_DATA.matcher(pointer).matches()
                    || fixture.crlfStorable().stream().anyMatch(pointer::startsWith);
            ordinary.add(json(op, target, "crlf " + pointer + (storable ? " (storable text)" : ""), body, storable));
        }
        for (String field : schemaFields(baseline, "")) {
            for (Map.Entry<String, JsonNode> bomb : SchemaBombs.all().entrySet()) {
                ObjectNode body = baseline.deepCopy();
                set(body, field, bomb.getValue());
                bombs.add(json(op, target, "schema_bomb " + bomb.getKey() + " at " + field, body, false));
            }
        }
    }

    static ObjectNode baseline(Operation op, Fixture fixture) {
        if (fixture.body() != null) {
            return (ObjectNode) Json.tree(fixture.body().replace("$U", SUFFIX).replace("$ID", UUID_TOKEN));
        }
        return (ObjectNode) example(op.requestSchema(), 0);
    }

    /** A plausible value for a schema, for operations with no fixture. */
    static JsonNode example(JsonNode schema, int depth) {
        if (Schemas.any(schema)) {
            return Json.mapper().createObjectNode();
        }
        JsonNode resolved = schema.has("$ref") ? null : schema;
        if (resolved == null) {
            return Json.mapper().createObjectNode();
        }
        switch (resolved.path("type").asText("object")) {
        case "string":
            return TextNode.valueOf("x" + suffix());
        case "integer":
        case "number":
            return IntNode.valueOf(1);
        case "boolean":
            return com.fasterxml.jackson.databind.node.BooleanNode.TRUE;
        case "array":
            return Json.mapper().createArrayNode();
        default:
            ObjectNode object = Json.mapper().createObjectNode();
            if (depth < 3) {
                resolved.path("properties").fields()
                        .forEachRemaining(p -> object.set(p.getKey(), example(p.getValue(), depth + 1)));
            }
            return object;
        }
    }

    /** Per schema property (nested ones included where the baseline has them): a value of another type. */
    Map<String, JsonNode> wrongTypes(Operation op, JsonNode baseline) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        wrongTypes(op.requestSchema(), "", baseline, out, 0);
        return out;
    }

    void wrongTypes(JsonNode schema, String pointer, JsonNode baseline, Map<String, JsonNode> out, int depth) {
        Schemas schemas = new Schemas(components);
        for (Iterator<Map.Entry<String, JsonNode>> it = schemas.resolve(schema).path("properties").fields(); it
                .hasNext();) {
            Map.Entry<String, JsonNode> property = it.next();
            String at = pointer + "/" + property.getKey();
            if (Schemas.any(property.getValue())) {
                // documented as an object (a schema, an input, credentials): a bare number is none
                out.put(at, IntNode.valueOf(12345));
                continue;
            }
            JsonNode resolved = schemas.resolve(property.getValue());
            String type = resolved.path("type").asText("object");
            ObjectNode wrongObject = Json.mapper().createObjectNode().put("wrong", "type");
            out.put(at, switch (type) {
            case "string", "array" -> wrongObject;
            case "integer", "number" -> TextNode.valueOf("not-a-number");
            case "boolean" -> TextNode.valueOf("not-a-boolean");
            default -> TextNode.valueOf("not-an-object");
            });
            JsonNode present = baseline.at(at);
            if (depth < 3 && type.equals("object") && resolved.has("properties") && present.isObject()) {
                wrongTypes(resolved, at, baseline, out, depth + 1);
            }
            if (depth < 3 && type.equals("array") && present.path(0).isObject()) {
                JsonNode items = schemas.resolve(resolved.path("items"));
                if (items.has("properties")) {
                    wrongTypes(items, at + "/0", baseline, out, depth + 1);
                }
            }
        }
    }

    /** JSON pointers of every string in a body; with {@code crlf}, not those inside a JSON Schema. */
    static List<String> stringLeaves(JsonNode node, String pointer, boolean crlf) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(pointer);
        } else if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if (!(crlf && SCHEMA_FIELD.matcher(field.getKey()).matches())) {
                    out.addAll(stringLeaves(field.getValue(), pointer + "/" + field.getKey(), crlf));
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.addAll(stringLeaves(node.get(i), pointer + "/" + i, crlf));
            }
        }
        return out;
    }

    static List<String> schemaFields(JsonNode node, String pointer) {
        List<String> out = new ArrayList<>();
        node.fields().forEachRemaining(field -> {
            if (SCHEMA_FIELD.matcher(field.getKey()).matches()) {
                out.add(pointer + "/" + field.getKey());
            } else if (field.getValue().isObject()) {
                out.addAll(schemaFields(field.getValue(), pointer + "/" + field.getKey()));
            }
        });
        return out;
    }

    static String firstContainer(JsonNode baseline) {
        for (Iterator<Map.Entry<String, JsonNode>> it = baseline.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isContainerNode()) {
                return "/" + field.getKey();
            }
        }
        return "/nested";
    }

    static String first(JsonNode baseline) {
        return baseline.fieldNames().hasNext() ? baseline.fieldNames().next() : "x";
    }

    static List<String> pathParams(String template) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = Pattern.compile("\\{([^}]+)}").matcher(template);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static String target(Operation op, Fixture fixture, Map<String, String> override) {
        String target = op.template();
        for (String param : pathParams(op.template())) {
            String value = override.getOrDefault(param,
                    fixture.pathValues().getOrDefault(param, UUID.randomUUID().toString()));
            target = target.replace("{" + param + "}", value);
        }
        return target;
    }

    static Case raw(Operation op, String target, String kind, String body) {
        return raw(op, target, kind, body, false);
    }

    static Case raw(Operation op, String target, String kind, String body, boolean may2xx) {
        return new Case(op, kind, target, "application/json", body.getBytes(StandardCharsets.UTF_8), false, may2xx);
    }

    static Case json(Operation op, String target, String kind, JsonNode body, boolean may2xx) {
        return new Case(op, kind, target, "application/json", bytes(body), false, may2xx);
    }

    /** The baseline with the value at {@code pointer} replaced by raw JSON text (which may be no valid JSON). */
    static Case replaced(Operation op, String target, String kind, ObjectNode baseline, String pointer, String rawJson,
            boolean chunked) {
        ObjectNode marked = baseline.deepCopy();
        set(marked, pointer, TextNode.valueOf(MARK));
        byte[] body = replace(bytes(marked), ("\"" + MARK + "\"").getBytes(StandardCharsets.US_ASCII),
                rawJson.getBytes(StandardCharsets.UTF_8));
        return new Case(op, kind, target, "application/json", body, chunked, false);
    }

    static void set(JsonNode root, String pointer, JsonNode value) {
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = root;
        for (String step : pointer.substring(1, slash < 1 ? 1 : slash).split("/")) {
            if (step.isEmpty()) {
                continue;
            }
            JsonNode next = parent.isArray() ? parent.get(Integer.parseInt(step)) : parent.get(step);
            if (next == null || !next.isContainerNode()) {
                next = Json.mapper().createObjectNode();
                ((ObjectNode) parent).set(step, next);
            }
            parent = next;
        }
        String last = pointer.substring(slash + 1);
        if (parent.isArray()) {
            ((ArrayNode) parent).set(Integer.parseInt(last), value);
        } else {
            ((ObjectNode) parent).set(last, value);
        }
    }

    static void remove(JsonNode root, String pointer) {
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = slash == 0 ? root : root.at(pointer.substring(0, slash));
        if (parent.isObject()) {
            ((ObjectNode) parent).remove(pointer.substring(slash + 1));
        }
    }

    static byte[] bytes(JsonNode body) {
        return Json.write(body).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] body(Fixture fixture) {
        return fixture.body().replace("$U", suffix()).replace("$ID", UUID.randomUUID().toString())
                .getBytes(StandardCharsets.UTF_8);
    }

    static byte[] replace(byte[] in, byte[] what, byte[] with) {
        String text = new String(in, StandardCharsets.ISO_8859_1);
        int at = text.indexOf(new String(what, StandardCharsets.ISO_8859_1));
        if (at < 0) {
            return in;
        }
        byte[] out = new byte[in.length - what.length + with.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(with, 0, out, at, with.length);
        System.arraycopy(in, at + what.length, out, at + with.length, in.length - at - what.length);
        return out;
    }

    /** Stands for a unique suffix in a baseline until a case is made of it. */
    static final String SUFFIX = "zzsfx";
    /** Stands for a fresh UUID (an idempotency id) in a baseline until a case is made of it. */
    static final String UUID_TOKEN = "zzuuid";

    static byte[] fresh(byte[] body) {
        byte[] out = replace(body, UUID_TOKEN.getBytes(StandardCharsets.US_ASCII),
                UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII));
        byte[] token = SUFFIX.getBytes(StandardCharsets.US_ASCII);
        for (byte[] next = replace(out, token,
                suffix().getBytes(StandardCharsets.US_ASCII)); next != out; next = replace(out, token,
                        suffix().getBytes(StandardCharsets.US_ASCII))) {
            out = next;
        }
        return out;
    }

    static String suffix() {
        return Integer.toString(unique.incrementAndGet(), 36) + Long.toString(System.nanoTime() % 1_000_000, 36);
    }

    // ------------------------------------------------------------------ sending and judging

    /** Sends the cases one by one (row counts are compared per case); false when the api-service stopped answering. */
    boolean run(List<Case> cases, List<String> failures, Map<String, Integer> sent, boolean stopWhenStalled)
            throws Exception {
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            if (i % 100 == 0) {
                System.out.printf("bad-input: %d of %d cases of this phase sent%n", i, cases.size());
            }
            Map<String, Long> before = counts();
            Reply reply = send(c.op(), c.target(), c.contentType(), c.body(), c.chunked());
            sent.merge(c.op().id(), 1, Integer::sum);
            List<String> problems = judge(c, reply);
            boolean accepted = reply.status() >= 200 && reply.status() < 300;
            if (accepted) {
                // what an accepted request started (a run, its events) must not be counted against the next case
                quiesce();
            }
            if (!(accepted && c.may2xx())) {
                Map<String, Long> after = counts();
                List<String> grown = new ArrayList<>();
                after.forEach((table, n) -> {
                    if (n > before.getOrDefault(table, 0L)) {
                        grown.add(table + " +" + (n - before.getOrDefault(table, 0L)));
                    }
                });
                if (!grown.isEmpty()) {
                    problems.add("rows written: " + String.join(", ", grown));
                }
            }
            if (!problems.isEmpty()) {
                failures.add(
                        c.op().id() + " | " + c.kind() + " | " + String.join("; ", problems) + " | " + reply.summary());
            }
            if (reply.status() == 0 && stopWhenStalled && !recovers()) {
                failures.add("(suite) the api-service did not answer its health check 20 s after " + c.op().id() + " | "
                        + c.kind() + "; " + (cases.size() - i - 1) + " cases of this phase not sent");
                return false;
            }
        }
        return true;
    }

    static Reply send(Operation op, String target, String contentType, byte[] body, boolean chunked) {
        return send(op, target, contentType, body, chunked, TIMEOUT_MS);
    }

    static Reply send(Operation op, String target, String contentType, byte[] body, boolean chunked, int timeout) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (op.template().startsWith("/admin")) {
            headers.put("Authorization", "Bearer " + ADMIN_TOKEN);
        } else if (op.surface() == Surface.ZAPIER || op.surface() == Surface.TALKOVER) {
            headers.put("Authorization", "Bearer " + owner.apiKey());
        } else {
            headers.put("x-api-key", owner.apiKey());
        }
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        headers.put("Accept", "application/json");
        return RawHttp.send(api.port, op.method(), target, headers, body, chunked, timeout);
    }

    static List<String> judge(Case c, Reply reply) {
        List<String> problems = new ArrayList<>();
        int status = reply.status();
        if (status == 0) {
            problems.add("no answer");
            return problems;
        }
        LEAKS.stream().filter(reply.body()::contains).findFirst()
                .ifPresent(leak -> problems.add("leaks \"" + leak.trim() + "\""));
        if (status >= 500) {
            problems.add("5xx");
        } else if (status < 400) {
            if (!(c.may2xx() && status < 300)) {
                problems.add("accepted (" + status + ")");
            }
            return problems;
        }
        if (reply.millis() > LIMIT_MS) {
            problems.add("slow (" + reply.millis() + " ms)");
        }
        if (c.kind().startsWith("over_limit_chunked") && status == 413 && reply.body().isBlank()) {
            // Quarkus REST's own reader refuses a chunked body past the limit with an empty 413 (ADR 0027)
            return problems;
        }
        if (status >= 400) {
            String shape = envelope(c.op().surface(), status, reply);
            if (shape != null) {
                problems.add(shape);
            }
        }
        return problems;
    }

    /** Null when the body is the surface's error shape, else what is wrong with it. */
    static String envelope(Surface surface, int status, Reply reply) {
        if (reply.body().isBlank()) {
            return "empty body";
        }
        String type = reply.header("content-type");
        if (type == null || !type.contains("json")) {
            return "not JSON (" + type + ")";
        }
        JsonNode body;
        try {
            body = Json.tree(reply.body());
        } catch (RuntimeException e) {
            return "unparseable JSON";
        }
        switch (surface) {
        case NATIVE, ZAPIER: {
            JsonNode error = body.path("errors").path(0);
            if (!error.isObject()) {
                return "not a JSON:API errors[] body";
            }
            if (error.path("status").asInt(-1) != status || !error.path("code").isTextual()) {
                return "JSON:API error without its status " + status + " and code";
            }
            if (body.has("success") || body.has("successful")) {
                return "another surface's fields";
            }
            return null;
        }
        case TALKOVER:
            if (!body.path("success").isBoolean() || body.path("success").asBoolean()
                    || !body.path("message").isTextual() || !body.path("code").isTextual() || body.has("errors")) {
                return "not talkover's {success:false,message,code}";
            }
            return null;
        default:
            if (!body.path("successful").isBoolean() || body.path("successful").asBoolean()
                    || !body.path("error").isTextual() || !body.has("data") || body.has("errors")) {
                return "not Composio's {data,successful:false,error,logId}";
            }
            return null;
        }
    }

    /** Row counts of the api schema's tables. */
    static Map<String, Long> counts() throws SQLException {
        List<String> names = new ArrayList<>(tables.keySet());
        String sql = "select " + String.join(", ", names.stream().map(t -> "(" + tables.get(t) + ")").toList());
        Map<String, Long> out = new LinkedHashMap<>();
        try (Statement statement = db.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            for (int i = 0; i < names.size(); i++) {
                out.put(names.get(i), row.getLong(i + 1));
            }
        }
        return out;
    }

    /** Waits until the row counts stop moving (an accepted run's events, deliveries), at most 10 s. */
    static void quiesce() {
        java.util.concurrent.atomic.AtomicReference<Map<String, Long>> last = new java.util.concurrent.atomic.AtomicReference<>(
                Map.of());
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ofMillis(300))
                    .pollInterval(Duration.ofMillis(300)).until(() -> {
                        Map<String, Long> now = counts();
                        return now.equals(last.getAndSet(now));
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // still moving: the next case's comparison may then be noisy, and says so by its table names
        }
    }

    static boolean recovers() {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> RawHttp
                    .send(api.managementPort, "GET", "/q/health/live", Map.of(), null, false, 2_000).status() == 200);
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    static long blockedWarnings() {
        return List.of(api, executor).stream()
                .mapToLong(s -> s.logText().lines().filter(l -> l.contains("has been blocked for")).count()).sum();
    }

    /**
     * A pattern that backtracks exponentially on java.util.regex is a legitimate, linear one on RE2: the action may be
     * stored, but a run whose input makes a backtracking engine explode must still be judged (refused) within 2 s.
     */
    void backtrackingInputScenario(List<String> failures, List<String> notes, Map<String, Integer> sent) {
        Operation create = new Operation("POST", "/v1/actions", null, Surface.NATIVE);
        String key = "backtrack_" + suffix();
        String schema = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\",\"pattern\":\"^(a+)+$\"}},"
                + "\"required\":[\"id\"]}";
        Reply stored = send(create, "/v1/actions", "application/json", ("{\"key\":\"" + key + "\",\"intent\":\"x\","
                + "\"inputSchema\":" + schema + ",\"outputSchema\":{\"type\":\"object\"},\"useDefaultMapping\":true,"
                + "\"type\":\"http\",\"http\":{\"integrationKey\":\"stub\",\"method\":\"GET\",\"path\":\"/item/{id}\"},"
                + "\"timeoutMs\":2000}").getBytes(StandardCharsets.UTF_8), false);
        sent.merge("POST /v1/actions", 1, Integer::sum);
        if (stored.status() >= 400 && stored.status() < 500) {
            notes.add("an input schema with the pattern ^(a+)+$ is refused when stored: " + stored.summary());
            return;
        }
        if (stored.status() != 201) {
            failures.add("POST /v1/actions | backtracking pattern ^(a+)+$ (storable) | " + stored.summary());
            return;
        }
        Operation run = new Operation("POST", "/v1/actions/run", null, Surface.NATIVE);
        Reply reply = send(run, "/v1/actions/run", "application/json",
                ("{\"key\":\"" + key + "\",\"userId\":\"u\",\"input\":{\"id\":\"" + "a".repeat(64) + "!\"}}")
                        .getBytes(StandardCharsets.UTF_8),
                false);
        sent.merge("POST /v1/actions/run", 1, Integer::sum);
        List<String> problems = judge(new Case(run, "backtracking input", "", "", null, false, false), reply);
        notes.add("a run whose input meets ^(a+)+$ with 64 'a' and '!': " + reply.summary());
        if (!problems.isEmpty()) {
            failures.add("POST /v1/actions/run | input of 64 'a' and '!' against ^(a+)+$ | "
                    + String.join("; ", problems) + " | " + reply.summary());
        }
        if (reply.status() == 0) {
            recovers();
        }
    }

    /** Failures counted by surface and kind of case. */
    static String summary(List<String> failures) {
        Map<String, Integer> byKind = new TreeMap<>();
        for (String failure : failures) {
            String[] parts = failure.split(" \\| ");
            if (parts.length < 3) {
                byKind.merge("(suite)", 1, Integer::sum);
                continue;
            }
            String kind = parts[1].split(" ")[0];
            String problem = parts[2].replaceAll("\\(.*?\\)", "").replaceAll("\"[^\"]*\"", "").replaceAll("\\+\\d+", "")
                    .trim();
            byKind.merge(surface(parts[0].split(" ")[1]) + " | " + kind + " | " + problem, 1, Integer::sum);
        }
        StringBuilder out = new StringBuilder();
        byKind.forEach((k, n) -> out.append(String.format("  %4d  %s%n", n, k)));
        return out.toString();
    }
}

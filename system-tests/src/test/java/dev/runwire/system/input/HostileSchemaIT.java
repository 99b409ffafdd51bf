package dev.runwire.system.input;

import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasToString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.response.Response;

import dev.runwire.model.json.Json;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SharedExecutor;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Schemas and inputs built to make validation endless, exponential or quadratic are refused with a 422 and a code
 * within 2 s, nothing is written, and no event loop is blocked meanwhile.
 */
class HostileSchemaIT {

    private static final Duration FAST = Duration.ofSeconds(2);

    @NewStub
    static Stub stub;
    @SharedApi
    static ServiceProcess api;
    @SharedExecutor
    static ServiceProcess executor;
    @NewOwner
    static Owner owner;

    @BeforeAll
    static void setUp() {
        integration(api, owner.apiKey(), "stub", stub.baseUrl());
        stub.on("/ok/", 200, "{\"id\":\"7\"}", 0);
    }

    @AfterAll
    static void tearDown() {
        ServiceProcess.assertNoThreadBlocked(api, executor);
    }

    @Test
    void hostileActionSchemasAreRefusedFast() {
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("backreference", new Object[] {
                "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"pattern\":\"^((a+)+)\\\\1$\"}}}",
                "unsupported_pattern", "/inputSchema/properties/s/pattern" });
        cases.put("lookahead", new Object[] { "{\"patternProperties\":{\"^(?!x)\":{}}}", "unsupported_pattern",
                "/inputSchema/patternProperties/^(?!x)" });
        // a refusal points at the part of the schema that is refused, under the schema's own pointer
        cases.put("self", new Object[] { "{\"$ref\":\"#\"}", "schema_too_complex", "/inputSchema" });
        cases.put("allOfSelf", new Object[] { "{\"allOf\":[{\"$ref\":\"#\"}]}", "schema_too_complex", "/inputSchema" });
        cases.put("cycle", new Object[] {
                "{\"definitions\":{\"a\":{\"$ref\":\"#/definitions/b\"},\"b\":{\"anyOf\":[{\"$ref\":\"#/definitions/a\"}]}},"
                        + "\"$ref\":\"#/definitions/a\"}",
                "schema_too_complex", "/inputSchema" });
        cases.put("anyOfThroughRef", new Object[] { anyOfChain(20), "schema_too_complex", "/inputSchema" });
        cases.put("nested", new Object[] { "{\"anyOf\":[".repeat(40) + "{}" + "]}".repeat(40), "schema_too_complex",
                "/inputSchema" });
        cases.put("wide", new Object[] { properties(8_000), "schema_too_complex", "/inputSchema" });
        int i = 0;
        for (Map.Entry<String, Object[]> c : cases.entrySet()) {
            String key = "hostile_" + i++;
            Response response = timed(c.getKey(), () -> as(api, owner.apiKey())
                    .body(actionBody(key, "\"inputSchema\":" + c.getValue()[0])).post("/v1/actions"));
            response.then().statusCode(422).body("errors[0].status", hasToString("422"))
                    .body("errors[0].code", equalTo(c.getValue()[1]))
                    .body("errors[0].source.pointer", startsWith((String) c.getValue()[2]))
                    .body("errors[0].detail", not(containsString("Exception")));
            as(api, owner.apiKey()).get("/v1/actions/" + key).then().statusCode(404);
        }
        // the same bounds on the output schema
        timed("outputSchema",
                () -> as(api, owner.apiKey()).body(actionBody("hostile_out", "\"outputSchema\":{\"$ref\":\"#\"}"))
                        .post("/v1/actions")).then().statusCode(422)
                                .body("errors[0].code", equalTo("schema_too_complex"))
                                .body("errors[0].source.pointer", equalTo("/outputSchema"));
    }

    @Test
    void hostileRunOutputSchemasAreRefusedFast() {
        action("plain", "{\"type\":\"object\"}");
        for (String schema : List.of("{\"$ref\":\"#\"}", anyOfChain(20),
                "{\"properties\":{\"s\":{\"pattern\":\"(?<=a)b\"}}}")) {
            Map<String, Object> body = runBody("plain", Map.of("id", "1"));
            body.put("outputSchema", Json.tree(schema));
            // POST /v1/runs answers 400 for a body it refuses, as the runs API documents
            timed("run outputSchema", () -> as(api, owner.apiKey()).body(body).post("/v1/runs")).then().statusCode(400)
                    .body("errors[0].code", oneOf("schema_too_complex", "unsupported_pattern"))
                    .body("errors[0].source.pointer", startsWith("/outputSchema"));
        }
    }

    @Test
    void backtrackingAndQuadraticInputsAnswerFast() {
        // ^(a+)+$ backtracks exponentially on java.util.regex; RE2 answers in linear time
        action("bomb",
                "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
                        + "\"s\":{\"type\":\"string\",\"pattern\":\"^(a+)+$\"},"
                        + "\"list\":{\"type\":\"array\",\"uniqueItems\":true}}}");
        Map<String, Object> input = Map.of("id", "1", "s", "a".repeat(30_000) + "!");
        timed("pattern", () -> as(api, owner.apiKey()).body(runBody("bomb", input)).post("/v1/runs")).then()
                .statusCode(400).body("errors[0].code", equalTo("input_invalid"))
                .body("errors[0].source.pointer", equalTo("/plan/steps/0/input/s"));
        timed("pattern",
                () -> as(api, owner.apiKey()).body(Map.of("key", "bomb", "userId", "u", "input", input))
                        .post("/v1/actions/run")).then().statusCode(422).body("errors[0].source.pointer",
                                equalTo("/input/s"));

        // uniqueItems is quadratic in everit: a long array of distinct items ends at the budget
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            items.add("i" + i);
        }
        timed("uniqueItems",
                () -> as(api, owner.apiKey())
                        .body(Map.of("key", "bomb", "userId", "u", "input", Map.of("id", "1", "list", items)))
                        .post("/v1/actions/run")).then().statusCode(422)
                                .body("errors[0].code", equalTo("schema_too_costly"))
                                .body("errors[0].source.pointer", equalTo("/input"));
    }

    private static void action(String key, String inputSchema) {
        as(api, owner.apiKey()).body(actionBody(key, "\"inputSchema\":" + inputSchema)).post("/v1/actions").then()
                .statusCode(201);
    }

    private static String actionBody(String key, String schemaMember) {
        return "{\"key\":\"" + key + "\",\"intent\":\"Get an item\"," + schemaMember
                + ",\"useDefaultMapping\":true,\"type\":\"http\",\"timeoutMs\":2000,"
                + "\"http\":{\"integrationKey\":\"stub\",\"method\":\"GET\",\"path\":\"/ok/{id}\"}}";
    }

    private static Map<String, Object> runBody(String action, Map<String, Object> input) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("id", "s1");
        step.put("description", "one step");
        step.put("dependsOnSteps", List.of());
        step.put("action", Map.of("key", action));
        step.put("input", input);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("intent", "hostile input");
        body.put("selectedCustomerIntegrationIds", List.of("*"));
        body.put("context", "");
        body.put("userId", "u");
        body.put("plan", Map.of("description", "a plan", "steps", List.of(step)));
        return body;
    }

    private static Response timed(String what, java.util.function.Supplier<Response> request) {
        long started = System.nanoTime();
        Response response = request.get();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(took.compareTo(FAST) < 0, what + " took " + took.toMillis() + " ms");
        return response;
    }

    /** {@code d0 -> anyOf[d1, d1] -> ...}: each level doubles what a validation visits. */
    private static String anyOfChain(int depth) {
        StringBuilder definitions = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            String next = "{\"$ref\":\"#/definitions/d" + (i + 1) + "\"}";
            definitions.append("\"d").append(i).append("\":{\"anyOf\":[").append(next).append(',').append(next)
                    .append("]},");
        }
        definitions.append("\"d").append(depth).append("\":{\"type\":\"string\"}");
        return "{\"definitions\":{" + definitions + "},\"$ref\":\"#/definitions/d0\"}";
    }

    private static String properties(int count) {
        StringBuilder properties = new StringBuilder();
        for (int i = 0; i < count; i++) {
            properties.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":{\"type\":\"string\"}");
        }
        return "{\"type\":\"object\",\"properties\":{" + properties + "}}";
    }
}

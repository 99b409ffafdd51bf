package dev.runwire.system.input;

import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.query;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.Plans;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Checked once, at the edge: whatever will become an HTTP header name or value, a path or a query value of a call
 * Runwire makes is refused when it is accepted (a 422 with a JSON pointer; a 400 where the surface's API documents
 * 400), nothing is written, and the executor never meets it. Before this, a pass-through header value with CR/LF was
 * accepted and stopped the executor's consumer for every owner: the last test runs a normal action right after all of
 * them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeValuesIT {

    static final String INJECTED = "v\r\nX-Injected: 1";

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stub;
    // the action sends X-Trace: {trace} and ?q={q}
    @NewOwner(actions = "item")
    static Owner owner;

    @BeforeAll
    static void answers() {
        stub.on("/item/", 200, "{\"id\":\"i\",\"price\":1}", 0);
    }

    static Map<String, Object> actionRun(String id, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>(
                Map.of("key", "item", "userId", "u", "input", new HashMap<>(Map.of("id", id))));
        body.putAll(extra);
        return body;
    }

    @Test
    void passThroughHeadersAndQueryThatNoRequestCanCarryAreRefused() throws Exception {
        long before = runCount(owner.id());
        List<Object[]> cases = List.of(
                new Object[] { Map.of("headers", Map.of("X-Custom", INJECTED)), "invalid_header",
                        "/passThrough/0/headers/X-Custom" },
                new Object[] { Map.of("headers", Map.of("Bad Name", "v")), "invalid_header",
                        "/passThrough/0/headers/Bad Name" },
                new Object[] { Map.of("headers", Map.of("X-A: b\r\nX-C", "v")), "invalid_header",
                        "/passThrough/0/headers/X-A: b\r\nX-C" },
                new Object[] { Map.of("headers", Map.of("Content-Length", "0")), "invalid_header",
                        "/passThrough/0/headers/Content-Length" },
                new Object[] { Map.of("query", Map.of("token", "a\r\nb")), "invalid_query",
                        "/passThrough/0/query/token" },
                new Object[] { Map.of("query", Map.of("", "v")), "invalid_query", "/passThrough/0/query/" },
                // an AWS session token is sent as the X-Amz-Security-Token header
                new Object[] {
                        Map.of("customerIntegrationId", "stub", "values",
                                Map.of("accessKeyId", "a", "secretAccessKey", "s", "sessionToken", INJECTED)),
                        "invalid_pass_through", "/passThrough/0/values/sessionToken" });
        for (Object[] bad : cases) {
            String answer = as(api, owner.apiKey()).body(actionRun("edge-pt", Map.of("passThrough", List.of(bad[0]))))
                    .post("/v1/actions/run").then().statusCode(422).body("errors[0].code", equalTo(bad[1]))
                    .body("errors[0].source.pointer", equalTo(bad[2])).extract().asString();
            assertFalse(answer.contains("X-Injected"), "the value is not echoed: " + answer);
        }
        // the runs surface documents 400 for an invalid body: the same check, the documented status
        Map<String, Object> plan = Plans
                .runBody(List.of(Plans.step("A", "item", List.of(), Map.of("id", "edge-plan"))));
        plan.put("passThrough", List.of(Map.of("headers", Map.of("X-Custom", INJECTED))));
        as(api, owner.apiKey()).body(plan).post("/v1/runs").then().statusCode(400)
                .body("errors[0].code", equalTo("invalid_header"))
                .body("errors[0].source.pointer", equalTo("/passThrough/0/headers/X-Custom"));
        // a step id travels in the Idempotency-Key header of the step's calls
        Map<String, Object> badStep = Plans
                .runBody(List.of(Plans.step("A\r\nX-Injected: 1", "item", List.of(), Map.of("id", "edge-step"))));
        as(api, owner.apiKey()).body(badStep).post("/v1/runs").then().statusCode(400)
                .body("errors[0].code", equalTo("invalid_step_id"))
                .body("errors[0].source.pointer", equalTo("/plan/steps/0/id"));
        assertEquals(before, runCount(owner.id()), "nothing was written");
        assertTrue(stub.receivedUnder("/item/edge-").isEmpty());
    }

    @Test
    @SuppressWarnings("unchecked")
    void inputValuesThatAHeaderTemplateRendersAreCheckedWhenTheRunIsAccepted() throws Exception {
        long before = runCount(owner.id());
        Map<String, Object> run = actionRun("edge-in", Map.of());
        ((Map<String, Object>) run.get("input")).put("trace", INJECTED);
        as(api, owner.apiKey()).body(run).post("/v1/actions/run").then().statusCode(422)
                .body("errors[0].code", equalTo("invalid_header_value"))
                .body("errors[0].source.pointer", equalTo("/input/trace"));
        // a value that no header template takes may hold line breaks (the path and the query are encoded)
        Map<String, Object> elsewhere = actionRun("edge-in", Map.of());
        ((Map<String, Object>) elsewhere.get("input")).put("q", "line one\r\nline two");
        as(api, owner.apiKey()).body(elsewhere).post("/v1/actions/run").then().statusCode(200);
        assertEquals(before + 1, runCount(owner.id()));

        // a plan step: the runs surface's 400, pointing into the step
        Map<String, Object> plan = Plans
                .runBody(List.of(Plans.step("A", "item", List.of(), Map.of("id", "edge-plan-in", "trace", INJECTED))));
        as(api, owner.apiKey()).body(plan).post("/v1/runs").then().statusCode(400)
                .body("errors.code", hasItem("invalid_header_value"))
                .body("errors.source.pointer", hasItem("/plan/steps/0/input/trace"));
        // Zapier: its 400, pointing into data.inputs
        String stored = as(api, owner.apiKey())
                .body(Map.of("data",
                        Map.of("selected_api", "stub", "action_key", "item", "inputs", Map.of("id", "edge-zap"))))
                .post("/actions/v1/stored-actions").then().statusCode(201).extract().path("data.id");
        as(api, owner.apiKey()).body(Map.of("data", Map.of("inputs", Map.of("trace", INJECTED))))
                .post("/actions/v1/stored-actions/" + stored + "/run").then().statusCode(400)
                .body("errors[0].code", equalTo("invalid_header_value"))
                .body("errors[0].source.pointer", equalTo("/data/inputs/trace"));
        // stored inputs go into every run: refused when the stored action is written
        as(api, owner.apiKey())
                .body(Map.of("data",
                        Map.of("selected_api", "stub", "action_key", "item", "inputs",
                                Map.of("id", "edge-zap", "trace", INJECTED))))
                .post("/actions/v1/stored-actions").then().statusCode(400)
                .body("errors[0].code", equalTo("invalid_header_value"))
                .body("errors[0].source.pointer", equalTo("/data/inputs/trace"));
        // Composio
        String composio = as(api, owner.apiKey())
                .body(Map.of("appName", "stub", "input", Map.of("id", "edge-cmp", "trace", INJECTED)))
                .post("/api/v2/actions/item/execute").then().statusCode(422).extract().asString();
        assertFalse(composio.contains("X-Injected"), composio);
        assertEquals(before + 1, runCount(owner.id()), "none of the refused runs was written");
        assertTrue(stub.receivedUnder("/item/edge-plan-in").isEmpty());
        assertTrue(stub.receivedUnder("/item/edge-zap").isEmpty());
    }

    @Test
    @SuppressWarnings("unchecked")
    void actionTemplatesAreCheckedWhenWritten() throws Exception {
        List<Object[]> cases = List.of(
                new Object[] { Map.of("headers", Map.of("X-Trace", "{trace}\r\nX-Injected: 1")), "invalid_header",
                        "/http/headers/X-Trace" },
                new Object[] { Map.of("headers", Map.of("X Trace", "{trace}")), "invalid_header",
                        "/http/headers/X Trace" },
                new Object[] { Map.of("headers", Map.of("Host", "evil.example")), "invalid_header",
                        "/http/headers/Host" },
                new Object[] { Map.of("path", "/item/{id}\r\nX-Injected: 1"), "invalid_path", "/http/path" },
                new Object[] { Map.of("path", "/item/{id}?debug=1"), "invalid_path", "/http/path" },
                new Object[] { Map.of("path", "/item /{id}"), "invalid_path", "/http/path" });
        for (Object[] bad : cases) {
            Map<String, Object> http = new HashMap<>(Map.of("integrationKey", "stub", "method", "GET", "path", "/x"));
            http.putAll((Map<String, Object>) bad[0]);
            as(api, owner.apiKey()).body(Map.of("key", "edge_tpl", "intent", "edge", "http", http)).post("/v1/actions")
                    .then().statusCode(422).body("errors[0].code", equalTo(bad[1]))
                    .body("errors[0].source.pointer", equalTo(bad[2]));
        }
        assertEquals(0L,
                query("select count(*) from api.actions where owner_id = '" + owner.id() + "' and key = 'edge_tpl'")
                        .get(0).get(0),
                "nothing was written");
    }

    @Test
    void credentialsAndAuthHeaderNamesAreCheckedWhenAccepted() throws Exception {
        for (Map<String, String> auth : List.<Map<String, String>> of(Map.of("type", "bearer"),
                Map.of("type", "api_key", "name", "X-Api-Key"), Map.of("type", "basic"))) {
            String key = "edge_" + auth.get("type");
            as(api, owner.apiKey()).body(Map.of("key", key, "name", key, "baseUrl", stub.baseUrl(), "auth", auth))
                    .post("/v1/integrations").then().statusCode(201);
        }
        List<Object[]> cases = List.of(new Object[] { "edge_bearer", Map.of("token", INJECTED), "/credentials/token" },
                new Object[] { "edge_basic", Map.of("username", "a\nb", "password", "p"), "/credentials/username" },
                new Object[] { "edge_basic", Map.of("username", "a:b", "password", "p"), "/credentials/username" },
                new Object[] { "edge_basic", Map.of("username", "a", "password", "p\r\n"), "/credentials/password" });
        for (Object[] bad : cases) {
            as(api, owner.apiKey()).body(Map.of("integrationKey", bad[0], "userId", "edge-user", "credentials", bad[1]))
                    .post("/v1/connected-accounts").then().statusCode(422)
                    .body("errors[0].code", equalTo("invalid_credentials"))
                    .body("errors[0].source.pointer", equalTo(bad[2]));
        }
        assertEquals(0L,
                query("select count(*) from api.connected_accounts where user_id = 'edge-user'").get(0).get(0));
        as(api, owner.apiKey())
                .body(Map.of("key", "edge_host", "name", "h", "baseUrl", stub.baseUrl(), "auth",
                        Map.of("type", "api_key", "name", "Host")))
                .post("/v1/integrations").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/auth/name"));
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void theExecutorStillRunsActionsAfterAllOfThat() {
        String id = "edge-after-" + UUID.randomUUID();
        as(api, owner.apiKey())
                .body(actionRun(id,
                        Map.of("passThrough",
                                List.of(Map.of("headers", Map.of("X-Custom", "fine value; ok"), "query",
                                        Map.of("extra", "a b"))))))
                .post("/v1/actions/run").then().statusCode(200).body("output.id", equalTo("i"));
        assertEquals("fine value; ok", stub.receivedUnder("/item/" + id).get(0).header("X-Custom"));
    }
}

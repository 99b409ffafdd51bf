package dev.runwire.system.plan;

import static dev.runwire.system.support.Plans.finished;
import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.runwire.model.json.Json;
import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * The planner against a local OpenAI-compatible server the test scripts: a good tool-call plan runs; an answer that is
 * not a plan, a plan that cannot run, and a failing model are each a clear 502 and write nothing.
 */
class PlannerIT {

    static ServiceProcess plannerApi;
    @NewStub
    static Stub model;
    @NewStub
    static Stub integrationStub;
    @SharedTopics
    static IsolatedTopics topics;
    static Owner owner;

    @BeforeAll
    static void setUp() {
        plannerApi = ServiceProcess
                .api("api-planner",
                        topics.apiEnv(Map.of("RUNWIRE_PLANNER_BASE_URL", model.baseUrl() + "/v1",
                                "RUNWIRE_PLANNER_API_KEY", "model-key", "RUNWIRE_PLANNER_MODEL", "test-model")))
                .start();
        owner = owner(plannerApi);
        integration(plannerApi, owner.apiKey(), "shop", integrationStub.baseUrl());
        action(plannerApi, owner.apiKey(), "find_item", "shop", "/items", 10_000);
        action(plannerApi, owner.apiKey(), "price_item", "shop", "/prices", 10_000);
        integrationStub.on("/items/", 200, "{\"id\":\"item-9\",\"price\":9}", 0);
        integrationStub.on("/prices/", 200, "{\"id\":\"p\",\"price\":10}", 0);
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        plannerApi.stop();
    }

    static String toolCall(Object plan) {
        return toolCall("make_plan", plan);
    }

    static String toolCall(String tool, Object arguments) {
        return Json.write(Map.of("id", "chatcmpl-1", "object", "chat.completion", "choices",
                List.of(Map.of("index", 0, "finish_reason", "tool_calls", "message",
                        Map.of("role", "assistant", "tool_calls", List.of(Map.of("id", "call_1", "type", "function",
                                "function", Map.of("name", tool, "arguments", Json.write(arguments)))))))));
    }

    static Map<String, Object> request(String intent) {
        return Map.of("intent", intent, "selectedCustomerIntegrationIds", List.of("*"), "context", "be quick", "userId",
                "planner-user");
    }

    @Test
    void composioTextBecomesAnInputThatIsCheckedAgainstTheSchema() {
        model.once("/v1/chat/completions", 200, toolCall("make_input", Map.of("id", "lamp-7")));
        io.restassured.path.json.JsonPath executed = io.restassured.RestAssured.given().baseUri(plannerApi.url())
                .header("x-api-key", owner.apiKey()).contentType("application/json")
                .body(Map.of("text", "find the lamp with id lamp-7", "entityId", "e"))
                .post("/api/v2/actions/find_item/execute").then().statusCode(200).extract().jsonPath();
        assertEquals(true, executed.getBoolean("successful"));
        assertEquals(1, integrationStub.receivedUnder("/items/lamp-7").size());
        io.restassured.path.json.JsonPath asked = new io.restassured.path.json.JsonPath(
                model.receivedUnder("/v1/chat/completions").get(model.receivedUnder("/v1/chat/completions").size() - 1)
                        .body());
        assertEquals("make_input", asked.getString("tools[0].function.name"));
        assertEquals(List.of("id"), asked.getList("tools[0].function.parameters.required"));
        assertEquals("find the lamp with id lamp-7", asked.getString("messages[1].content"));
        // an input the model got wrong is refused with pointers, and nothing runs
        model.once("/v1/chat/completions", 200, toolCall("make_input", Map.of("id", 5)));
        io.restassured.RestAssured.given().baseUri(plannerApi.url()).header("x-api-key", owner.apiKey())
                .contentType("application/json").body(Map.of("text", "find something"))
                .post("/api/v2/actions/find_item/execute").then().statusCode(422)
                // Composio's own error shape: the pointer is in the error's text
                .body("successful", equalTo(false)).body("error", containsString("/input/id"));
    }

    @Test
    void aPlanFromTheModelRuns() {
        model.once("/v1/chat/completions", 200,
                toolCall(Map.of("description", "find then price", "steps",
                        List.of(Map.of("id", "find", "description", "find the item", "dependsOnSteps", List.of(),
                                "action", Map.of("key", "find_item"), "input", Map.of("id", "lamp")),
                                Map.of("id", "price", "description", "price it", "dependsOnSteps", List.of("find"),
                                        "action", Map.of("key", "price_item"), "input",
                                        Map.of("id", Map.of("$fromStep", "find", "$pointer", "/id")))))));
        JsonPath created = as(plannerApi, owner.apiKey()).body(request("price the lamp")).post("/v1/runs").then()
                .statusCode(201).body("plan.plan.steps.id", equalTo(List.of("find", "price"))).extract().jsonPath();
        JsonPath run = finished(plannerApi, owner.apiKey(), created.getString("runId"));
        assertEquals("SUCCESS", run.getString("status"));
        assertEquals(1, integrationStub.receivedUnder("/prices/item-9").size(),
                "the second step used the first's output");

        Stub.Received call = model.receivedUnder("/v1/chat/completions").get(0);
        assertEquals("Bearer model-key", call.header("Authorization"));
        JsonPath sent = new JsonPath(call.body());
        assertEquals("test-model", sent.getString("model"));
        assertEquals("make_plan", sent.getString("tools[0].function.name"));
        assertEquals(List.of("find_item", "price_item"), sent
                .getList("tools[0].function.parameters.properties.steps.items.properties.action.properties.key.enum"));
        assertTrue(sent.getString("messages[1].content").contains("price the lamp"));
        assertTrue(sent.getString("messages[0].content").contains("inputSchema"), "the actions' schemas are offered");
    }

    @Test
    void anAnswerThatIsNotAPlanIsAClearErrorAndWritesNothing() throws Exception {
        long before = runCount(owner.id());
        model.once("/v1/chat/completions", 200, Json.write(Map.of("choices", List
                .of(Map.of("message", Map.of("role", "assistant", "content", "I would rather chat about lamps."))))));
        as(plannerApi, owner.apiKey()).body(request("garbage please")).post("/v1/runs").then().statusCode(502)
                .body("errors[0].code", equalTo("planner_invalid_answer"));
        model.once("/v1/chat/completions", 200, toolCall("not a plan"));
        as(plannerApi, owner.apiKey()).body(request("a string plan")).post("/v1/runs").then().statusCode(502)
                .body("errors[0].code", equalTo("planner_invalid_answer"));
        model.once("/v1/chat/completions", 200, "{not json");
        as(plannerApi, owner.apiKey()).body(request("broken json")).post("/v1/runs").then().statusCode(502)
                .body("errors[0].code", equalTo("planner_invalid_answer"));
        model.once("/v1/chat/completions", 500, "{\"error\":\"overloaded\"}");
        as(plannerApi, owner.apiKey()).body(request("model down")).post("/v1/runs").then().statusCode(502)
                .body("errors[0].code", equalTo("planner_unavailable"));
        assertEquals(before, runCount(owner.id()));
    }

    @Test
    void aPlanThatCannotRunIsTheModelsFaultWithPointers() throws Exception {
        long before = runCount(owner.id());
        model.once("/v1/chat/completions", 200,
                toolCall(Map.of("description", "a cycle", "steps",
                        List.of(Map.of("id", "x", "description", "x", "dependsOnSteps", List.of("y"), "action",
                                Map.of("key", "find_item"), "input", Map.of("id", "1")),
                                Map.of("id", "y", "description", "y", "dependsOnSteps", List.of("x"), "action",
                                        Map.of("key", "price_item"), "input", Map.of("id", "2"))))));
        as(plannerApi, owner.apiKey()).body(request("loop")).post("/v1/runs").then().statusCode(502)
                .body("errors[0].code", equalTo("planner_plan_invalid"))
                .body("errors[0].meta.violations[0].pointer", equalTo("/plan/steps/0/dependsOnSteps"));
        model.once("/v1/chat/completions", 200,
                toolCall(Map.of("description", "unknown action", "steps",
                        List.of(Map.of("id", "x", "description", "x", "dependsOnSteps", List.of(), "action",
                                Map.of("key", "delete_everything"), "input", Map.of())))));
        as(plannerApi, owner.apiKey()).body(request("unknown")).post("/v1/runs").then().statusCode(502)
                .body("errors[0].meta.violations[0].code", equalTo("unknown_action"));
        assertEquals(before, runCount(owner.id()));
    }
}

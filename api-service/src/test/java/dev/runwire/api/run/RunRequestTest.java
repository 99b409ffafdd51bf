package dev.runwire.api.run;

import static dev.runwire.api.Owners.action;
import static dev.runwire.api.Owners.as;
import static dev.runwire.api.Owners.integration;
import static dev.runwire.api.Owners.newOwnerKey;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import dev.runwire.api.Rows;

/**
 * The api-service side of runs, without an executor: what is refused, and what is accepted and answered 202 when the
 * run does not finish within the wait.
 */
@QuarkusTest
class RunRequestTest {

    @Inject
    Rows rows;

    String key;

    @BeforeEach
    void owner() {
        key = newOwnerKey();
        integration(key, "stub", "http://127.0.0.1:9");
        as(key).body(action("get_item", "stub")).post("/v1/actions").then().statusCode(201);
    }

    @Test
    void invalidInputGetsAPointerPerViolationAndNoRun() {
        long runs = rows.count("runs");
        long outbox = rows.count("outbox");
        as(key).body(Map.of("key", "get_item", "userId", "u1", "input", Map.of("count", 0))).post("/v1/actions/run")
                .then().statusCode(422).body("errors.source.pointer", hasItems("/input", "/input/count"))
                .body("errors[0].code", equalTo("input_invalid"));
        as(key).body(Map.of("key", "get_item", "input", Map.of("id", "1"))).post("/v1/actions/run").then()
                .statusCode(422).body("errors[0].source.pointer", equalTo("/userId"));
        as(key).body(Map.of("key", "get_item", "userId", "u1", "input", List.of(1))).post("/v1/actions/run").then()
                .statusCode(422).body("errors[0].source.pointer", equalTo("/input"));
        as(key).body(Map.of("key", "get_item", "userId", "u1", "input", Map.of("id", "1"), "passThrough",
                List.of(Map.of("headers", Map.of("X-Token", 5))))).post("/v1/actions/run").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/passThrough/0/headers/X-Token"));
        as(key).body("{\"key\":\"get_item\",\"userId\":").post("/v1/actions/run").then().statusCode(400);
        as(key).body(Map.of("key", "nope", "userId", "u1")).post("/v1/actions/run").then().statusCode(404);

        as(key).delete("/v1/actions/get_item").then().statusCode(200);
        as(key).body(Map.of("key", "get_item", "userId", "u1", "input", Map.of("id", "1"))).post("/v1/actions/run")
                .then().statusCode(409).body("errors[0].code", equalTo("action_inactive"));

        assertEquals(runs, rows.count("runs"));
        assertEquals(outbox, rows.count("outbox"));
    }

    @Test
    void anUnfinishedRunAnswers202AndIsReadableOnlyByItsOwner() {
        String runId = as(key).body(Map.of("key", "get_item", "userId", "u1", "input", Map.of("id", "42")))
                .post("/v1/actions/run").then().statusCode(202).header("Location", notNullValue())
                .body("runId", notNullValue()).extract().path("runId");

        as(key).get("/v1/runs/" + runId + "?includeEvents=true").then().statusCode(200).body("runId", equalTo(runId))
                .body("intent", equalTo("Get an item")).body("repeatKey", notNullValue())
                .body("executionPlanId", notNullValue()).body("userId", equalTo("u1"))
                .body("actionKey", equalTo("get_item"));

        String other = newOwnerKey();
        as(other).get("/v1/runs/" + runId).then().statusCode(404);
        as(other).body(Map.of("key", "get_item", "userId", "u1", "input", Map.of("id", "42"))).post("/v1/actions/run")
                .then().statusCode(404);
        as(key).get("/v1/runs/not-a-uuid").then().statusCode(404);
    }

    @Test
    void aRunReadAloneShowsItsPlanWithTheStepsDependencies() {
        Map<String, Object> plan = Map.of("description", "two steps", "steps",
                List.of(Map.of("id", "a", "description", "first", "dependsOnSteps", List.of(), "action",
                        Map.of("key", "get_item"), "input", Map.of("id", "1")),
                        Map.of("id", "b", "description", "second", "dependsOnSteps", List.of("a"), "action",
                                Map.of("key", "get_item"), "input",
                                Map.of("id", Map.of("$fromStep", "a", "$pointer", "/id")))));
        String runId = as(key).body(
                Map.of("intent", "plan", "selectedCustomerIntegrationIds", List.of("*"), "userId", "u1", "plan", plan))
                .post("/v1/runs").then().statusCode(201).extract().path("runId");

        as(key).get("/v1/runs/" + runId).then().statusCode(200).body("plan.plan.steps.id", equalTo(List.of("a", "b")))
                .body("plan.plan.steps[1].dependsOnSteps", equalTo(List.of("a")))
                .body("plan.plan.steps[1].action.key", equalTo("get_item"))
                .body("plan.plan.steps[0].input.id", equalTo("1"));
        // lists stay light: no plan in them
        as(key).get("/v1/runs?userId=u1").then().statusCode(200).body("find { it.runId == '" + runId + "' }.plan",
                nullValue());
        as(newOwnerKey()).get("/v1/runs/" + runId).then().statusCode(404);
    }
}

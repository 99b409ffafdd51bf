package dev.runwire.system.surface;

import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.Talkover.action;
import static dev.runwire.system.support.Talkover.agent;
import static dev.runwire.system.support.Talkover.field;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;
import dev.runwire.system.support.Talkover;

/**
 * Running talkover agent actions: a webhook POSTs its input to its URL (through the egress guard) and answers with the
 * result; a transfer waits until the caller reports its result, which must match the action's output schema, and then
 * the run succeeds with it. Bad input, results for steps that do not wait, and other owners' runs are refused.
 */
class AgentRunIT {

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub hook;
    @NewOwner
    static Owner owner;
    static String agentId;

    @BeforeAll
    static void setUp() {
        hook.on("/schedule", 200, "{\"booked\":true,\"slot\":\"10:00\"}", 0);
        agentId = agent(api, owner);
    }

    static RequestSpecification talkover(Owner who) {
        return Talkover.talkover(api, who);
    }

    static String create(Map<String, Object> action) {
        return talkover(owner).body(action).post("/api/v1/agents/" + agentId + "/actions").then().statusCode(201)
                .extract().path("data.id");
    }

    @Test
    void aWebhookActionPostsItsInputAndAnswersWithTheResult() {
        String actionId = create(action("Schedule Meeting", "webhook",
                List.of(field("date", "string", null), field("time", "string", null)), hook.baseUrl() + "/schedule",
                "active"));
        JsonPath ran = talkover(owner)
                .body(Map.of("input", Map.of("date", "2026-12-01", "time", "10:00"), "user_id", "caller-1"))
                .post("/api/v1/agents/" + agentId + "/actions/" + actionId + "/run").then().statusCode(200)
                .body("success", equalTo(true)).body("data.status", equalTo("SUCCESS")).extract().jsonPath();
        assertEquals(true, ran.getBoolean("data.output.booked"));
        Stub.Received call = hook.receivedUnder("/schedule").get(0);
        assertEquals("POST", call.method());
        assertEquals(Map.of("date", "2026-12-01", "time", "10:00"), new JsonPath(call.body()).getMap(""));
        // the run is an ordinary run on the native surface, and its caller reads the end it was answered with (ADR
        // 0044)
        as(api, owner.apiKey()).get("/v1/runs/" + ran.getString("data.run_id")).then().statusCode(200).body("status",
                equalTo("SUCCESS"));

        // missing required input, wrong types, unknown action: talkover's failure envelope
        talkover(owner).body(Map.of("input", Map.of("date", "2026-12-01")))
                .post("/api/v1/agents/" + agentId + "/actions/" + actionId + "/run").then().statusCode(422)
                .body("success", equalTo(false)).body("code", equalTo("VALIDATION_ERROR"));
        talkover(owner).body(Map.of("input", List.of()))
                .post("/api/v1/agents/" + agentId + "/actions/" + actionId + "/run").then().statusCode(422);
        talkover(owner).body(Map.of("input", Map.of()))
                .post("/api/v1/agents/" + agentId + "/actions/00000000-0000-0000-0000-000000000000/run").then()
                .statusCode(404).body("code", equalTo("ACTION_NOT_FOUND"));
        assertEquals(1, hook.receivedUnder("/schedule").size(), "refused runs call nothing");
        // another owner cannot run it
        Owner other = owner(api);
        talkover(other).body(Map.of("input", Map.of("date", "d", "time", "t")))
                .post("/api/v1/agents/" + agentId + "/actions/" + actionId + "/run").then().statusCode(404)
                .body("code", equalTo("AGENT_NOT_FOUND"));
    }

    @Test
    void aTransferWaitsForItsReportedResultWhichMustMatchTheOutputSchema() {
        Map<String, Object> transfer = new HashMap<>(action("Transfer Call", "transfer",
                List.of(field("transfer_to", "string", "+1234567890")), null, "active"));
        transfer.put("config", Map.of("output_schema", Map.of("type", "object", "properties",
                Map.of("answered", Map.of("type", "boolean")), "required", List.of("answered"))));
        String actionId = create(transfer);
        JsonPath started = talkover(owner).body(Map.of("input", Map.of("transfer_to", "+15550100")))
                .post("/api/v1/agents/" + agentId + "/actions/" + actionId + "/run").then().statusCode(200)
                .body("data.status", equalTo("QUEUED")).extract().jsonPath();
        String runId = started.getString("data.run_id");
        String stepId = started.getString("data.step_id");
        Awaitility.await("PAUSED").atMost(Duration.ofSeconds(20)).until(() -> "PAUSED"
                .equals(as(api, owner.apiKey()).get("/v1/runs/" + runId).then().extract().path("status")));
        JsonPath waiting = as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").then().extract()
                .jsonPath();
        assertEquals("+15550100",
                waiting.getString("events.find { it.type == 'STEP_AWAITING_RESULT' }.input.transfer_to"));
        assertEquals(List.of("answered"),
                waiting.getList("events.find { it.type == 'STEP_AWAITING_RESULT' }.expects.required"));

        String result = "/v1/runs/" + runId + "/steps/" + stepId + "/result";
        as(api, owner.apiKey()).body(Map.of("output", Map.of("answered", "yes"))).post(result).then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/output/answered"));
        as(api, owner.apiKey()).body(Map.of("nothing", true)).post(result).then().statusCode(422);
        as(api, owner.apiKey()).body(Map.of("output", Map.of("answered", true)))
                .post("/v1/runs/" + runId + "/steps/other/result").then().statusCode(409)
                .body("errors[0].code", equalTo("step_not_awaiting_result"));
        Owner other = owner(api);
        as(api, other.apiKey()).body(Map.of("output", Map.of("answered", true))).post(result).then().statusCode(404);
        assertEquals("PAUSED", as(api, owner.apiKey()).get("/v1/runs/" + runId).then().extract().path("status"));

        as(api, owner.apiKey()).body(Map.of("output", Map.of("answered", true))).post(result).then().statusCode(202)
                .body("status", equalTo("accepted"));
        Awaitility.await("SUCCESS").atMost(Duration.ofSeconds(20)).until(() -> "SUCCESS"
                .equals(as(api, owner.apiKey()).get("/v1/runs/" + runId).then().extract().path("status")));
        JsonPath ended = as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").then().extract()
                .jsonPath();
        assertEquals(true, ended.getBoolean("result.answered"));
        // a second report finds nothing waiting
        as(api, owner.apiKey()).body(Map.of("output", Map.of("answered", false))).post(result).then().statusCode(409);
        assertTrue(ended.getList("events.type").contains("STEP_SUCCEEDED"));
    }
}

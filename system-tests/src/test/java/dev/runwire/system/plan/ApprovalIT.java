package dev.runwire.system.plan;

import static dev.runwire.system.support.Plans.create;
import static dev.runwire.system.support.Plans.finished;
import static dev.runwire.system.support.Plans.ref;
import static dev.runwire.system.support.Plans.runBody;
import static dev.runwire.system.support.Plans.step;
import static dev.runwire.system.support.Plans.token;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.runwire.model.approval.ApprovalTokens;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Approvals: a run paused before it starts (ON_START) or before each integration call (ON_TOOL_CALL), decided with the
 * signed tokens its events carry: approve, deny, approve with a changed input; expired, tampered and foreign tokens
 * refused; a second decision is a no-op that says what was decided.
 */
class ApprovalIT {

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stub;
    @NewOwner(actions = { "a", "b" })
    static Owner owner;

    @BeforeAll
    static void answers() {
        stub.on("/a/", 200, "{\"id\":\"a-out\",\"price\":1}", 0);
        stub.on("/b/", 200, "{\"id\":\"b-out\",\"price\":2}", 0);
    }

    static String createWith(String strategy, List<Map<String, Object>> steps) {
        Map<String, Object> body = runBody(steps);
        body.put("approvalStrategy", strategy);
        return create(api, owner.apiKey(), body);
    }

    /** Waits until the run pauses with the given number of approval requests, and returns its events. */
    static JsonPath paused(String runId, int requests) {
        Awaitility.await("run " + runId + " paused").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    JsonPath run = as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").then()
                            .statusCode(200).extract().jsonPath();
                    return "PAUSED".equals(run.getString("status")) && run
                            .getList("events.findAll { it.type.endsWith('APPROVAL_REQUESTED') }").size() == requests;
                });
        return as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").then().extract().jsonPath();
    }

    @Test
    void onStartWaitsForApprovalThenRunsAndASecondDecisionChangesNothing() {
        String runId = createWith("ON_START", List.of(step("A", "a", List.of(), Map.of("id", "start-1"))));
        JsonPath run = paused(runId, 1);
        assertEquals("RUN_APPROVAL_REQUESTED", run.getString("events[0].type"));
        assertTrue(stub.receivedUnder("/a/start-1").isEmpty(), "nothing runs before the approval");
        String approve = token(run, "approve", 0);
        as(api, owner.apiKey()).get("/v1/runs/approval?token=" + approve).then().statusCode(201)
                .body("decision", equalTo("APPROVE")).body("alreadyDecided", equalTo(false));
        assertEquals("SUCCESS", finished(api, owner.apiKey(), runId).getString("status"));
        assertEquals(1, stub.receivedUnder("/a/start-1").size());
        // deciding again, with either token, is handled (the runs API documents 201 as its only success) and says what
        // was decided
        as(api, owner.apiKey()).get("/v1/runs/approval?token=" + token(run, "deny", 0)).then().statusCode(201)
                .body("decision", equalTo("APPROVE")).body("alreadyDecided", equalTo(true));
        as(api, owner.apiKey()).get("/v1/runs/approval?token=" + approve).then().statusCode(201)
                .body("decision", equalTo("APPROVE")).body("alreadyDecided", equalTo(true));
    }

    @Test
    void onStartDeniedIsCancelled() {
        String runId = createWith("ON_START", List.of(step("A", "a", List.of(), Map.of("id", "start-2"))));
        String deny = token(paused(runId, 1), "deny", 0);
        as(api, owner.apiKey()).get("/v1/runs/approval?token=" + deny).then().statusCode(201).body("decision",
                equalTo("DENY"));
        JsonPath run = finished(api, owner.apiKey(), runId);
        assertEquals("CANCELED", run.getString("status"));
        assertEquals("approval_denied", run.getString("error.code"));
        assertTrue(stub.receivedUnder("/a/start-2").isEmpty());
    }

    @Test
    void onToolCallAsksBeforeEachCallWithTheExactInputAndTakesAnEditedOne() {
        String runId = createWith("ON_TOOL_CALL", List.of(step("A", "a", List.of(), Map.of("id", "tool-1")),
                step("B", "b", List.of("A"), Map.of("id", ref("A", "/id")))));
        JsonPath first = paused(runId, 1);
        assertEquals("A", first.getString("events.find { it.type == 'STEP_APPROVAL_REQUESTED' }.stepId"));
        assertEquals("tool-1", first.getString("events.find { it.type == 'STEP_APPROVAL_REQUESTED' }.input.id"));
        assertTrue(stub.receivedUnder("/a/").stream().noneMatch(r -> r.path().equals("/a/tool-1")));
        as(api, owner.apiKey()).get("/v1/runs/approval?token=" + token(first, "approve", 0)).then().statusCode(201);

        // B asks with the input it would send: A's output already in it
        JsonPath second = paused(runId, 2);
        assertEquals("a-out", second.getString("events.findAll { it.type == 'STEP_APPROVAL_REQUESTED' }[1].input.id"));
        String approveB = token(second, "approve", 1);
        as(api, owner.apiKey()).body(Map.of("token", approveB, "input", Map.of("id", 7))).post("/v1/runs/approval")
                .then().statusCode(422).body("errors[0].source.pointer", equalTo("/input/id"));
        as(api, owner.apiKey()).body(Map.of("token", token(second, "deny", 1), "input", Map.of("id", "x")))
                .post("/v1/runs/approval").then().statusCode(422)
                .body("errors[0].code", equalTo("not_an_approve_token"));
        as(api, owner.apiKey()).body(Map.of("token", approveB, "input", Map.of("id", "edited")))
                .post("/v1/runs/approval").then().statusCode(201).body("decision", equalTo("APPROVE"));
        JsonPath run = finished(api, owner.apiKey(), runId);
        assertEquals("SUCCESS", run.getString("status"));
        assertEquals(1, stub.receivedUnder("/b/edited").size(), "the edited input was sent");
        assertTrue(stub.receivedUnder("/b/a-out").isEmpty(), "the original input was not");
        assertEquals("edited", run.getString("events.find { it.type == 'STEP_STARTED' && it.stepId == 'B' }.input.id"));
    }

    @Test
    void aDeniedStepIsSkippedAndNothingSucceeded() {
        String runId = createWith("ON_TOOL_CALL", List.of(step("A", "a", List.of(), Map.of("id", "tool-2"))));
        as(api, owner.apiKey()).get("/v1/runs/approval?token=" + token(paused(runId, 1), "deny", 0)).then()
                .statusCode(201);
        JsonPath run = finished(api, owner.apiKey(), runId);
        assertEquals("NO_SUCCESS", run.getString("status"));
        assertEquals("STEP_DENIED", run.getString("events.find { it.stepId == 'A' && it.type == 'STEP_DENIED' }.type"));
        assertTrue(stub.receivedUnder("/a/tool-2").isEmpty());
    }

    @Test
    void expiredTamperedForeignAndMissingTokensAreRefused() {
        String runId = createWith("ON_START", List.of(step("A", "a", List.of(), Map.of("id", "start-3"))));
        String approve = token(paused(runId, 1), "approve", 0);
        ApprovalTokens sameKey = new ApprovalTokens(SystemUnderTest.SECRETS_KEY);
        String expired = sameKey.issue(new ApprovalTokens.Approval(UUID.fromString(owner.id()), UUID.fromString(runId),
                null, ApprovalTokens.APPROVE, null, Instant.now().minusSeconds(60)));
        // the runs API documents 400 for an invalid parameter: every unusable token is one, each with its code
        as(api, owner.apiKey()).get("/v1/runs/approval?token=" + expired).then().statusCode(400)
                .body("errors[0].code", equalTo("token_expired")).body("errors[0].source.parameter", equalTo("token"));
        String[] parts = approve.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "." + (parts[2].startsWith("A") ? "B" : "A")
                + parts[2].substring(1);
        as(api, owner.apiKey()).get("/v1/runs/approval?token=" + tampered).then().statusCode(400).body("errors[0].code",
                equalTo("invalid_token"));
        byte[] otherKey = new byte[32];
        String forged = new ApprovalTokens(Base64.getEncoder().encodeToString(otherKey))
                .issue(new ApprovalTokens.Approval(UUID.fromString(owner.id()), UUID.fromString(runId), null,
                        ApprovalTokens.APPROVE, null, Instant.now().plusSeconds(600)));
        as(api, owner.apiKey()).get("/v1/runs/approval?token=" + forged).then().statusCode(400).body("errors[0].code",
                equalTo("invalid_token"));
        // another owner's token answers like a forged one: nothing says the run exists
        Owner other = owner(api);
        as(api, other.apiKey()).get("/v1/runs/approval?token=" + approve).then().statusCode(400)
                .body("errors[0].code", equalTo("invalid_token"))
                .body("errors[0].detail", equalTo("the approval token is not valid"));
        as(api, owner.apiKey()).get("/v1/runs/approval").then().statusCode(400).body("errors[0].source.parameter",
                equalTo("token"));
        // none of that decided anything
        assertEquals("PAUSED", as(api, owner.apiKey()).get("/v1/runs/" + runId).then().extract().path("status"));
        as(api, owner.apiKey()).delete("/v1/runs/" + runId).then().statusCode(200).body("status", equalTo("CANCELED"));
        as(api, owner.apiKey()).get("/v1/runs/approval?token=" + approve).then().statusCode(400)
                .body("errors[0].code", equalTo("run_finished")).body("errors[0].meta.status", equalTo("CANCELED"));
    }
}

package dev.runwire.system.support;

import static dev.runwire.system.support.SystemUnderTest.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.awaitility.Awaitility;

import io.restassured.path.json.JsonPath;

/** Runs of plans through the runs API ({@code POST /v1/runs}): request bodies, creating a run, waiting for its end. */
public final class Plans {

    /** The statuses a run ends in. */
    public static final Set<String> FINISHED = Set.of("SUCCESS", "PARTIAL_SUCCESS", "NO_SUCCESS", "FAILED", "CANCELED");

    private Plans() {
    }

    /** A step of a plan: its id, the action it runs, the steps it waits for and its input. */
    public static Map<String, Object> step(String id, String action, List<String> dependsOn, Object input) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("id", id);
        step.put("description", "step " + id);
        step.put("dependsOnSteps", dependsOn);
        step.put("action", Map.of("key", action));
        step.put("input", input);
        return step;
    }

    /** An input value taken from an earlier step's output, at a JSON pointer. */
    public static Map<String, Object> ref(String stepId, String pointer) {
        return Map.of("$fromStep", stepId, "$pointer", pointer);
    }

    /** The body of {@code POST /v1/runs} for these steps, for user {@code plan-user}. */
    public static Map<String, Object> runBody(List<Map<String, Object>> steps) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("intent", "test a plan");
        body.put("selectedCustomerIntegrationIds", List.of("*"));
        body.put("context", "");
        body.put("userId", "plan-user");
        body.put("plan", Map.of("description", "a plan", "steps", steps));
        return body;
    }

    /** Creates a run (201, QUEUED) and returns its id. */
    public static String create(ServiceProcess api, String key, Map<String, Object> body) {
        return as(api, key).body(body).post("/v1/runs").then().statusCode(201).body("status", equalTo("QUEUED"))
                .body("repeatKey", notNullValue()).body("executionPlanId", notNullValue())
                .body("plan.planType", equalTo("json")).extract().path("runId");
    }

    /** Waits until the run has ended and returns it with its events. */
    public static JsonPath finished(ServiceProcess api, String key, String runId) {
        Awaitility.await("run " + runId + " finished").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> FINISHED.contains(
                        as(api, key).get("/v1/runs/" + runId).then().statusCode(200).extract().path("status")));
        return as(api, key).get("/v1/runs/" + runId + "?includeEvents=true").then().statusCode(200).extract()
                .jsonPath();
    }

    /** The approve or deny token of a run's approval request (0 the first), as its events carry it. */
    public static String token(JsonPath run, String kind, int request) {
        return run.getString("events.findAll { it.type.endsWith('APPROVAL_REQUESTED') }[" + request + "].approval."
                + kind + "Token");
    }
}

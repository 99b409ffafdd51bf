package dev.runwire.system.plan;

import static dev.runwire.system.support.Plans.create;
import static dev.runwire.system.support.Plans.finished;
import static dev.runwire.system.support.Plans.ref;
import static dev.runwire.system.support.Plans.runBody;
import static dev.runwire.system.support.Plans.step;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.runwire.model.command.RunAbortRequested;
import dev.runwire.model.command.RunRequested;
import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.KafkaRecords;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SharedExecutor;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Runs with plans through both services: steps run as soon as their dependencies succeeded, independent ones at the
 * same time; a step reads an earlier step's output; failures make a partial or no success; a plan that cannot run is
 * refused before anything is written; an abort cancels the call in flight and nothing after it starts.
 */
class PlanRunIT {

    @SharedApi
    static ServiceProcess api;
    @SharedExecutor
    static ServiceProcess executor;
    @SharedTopics
    static IsolatedTopics topics;
    @NewStub
    static Stub stub;
    @NewOwner(actions = { "a", "b", "c", "d", "fail", "slow", "after" })
    static Owner owner;

    @BeforeAll
    static void answers() {
        stub.on("/a/", 200, "{\"id\":\"a-out\",\"price\":1}", 0);
        stub.on("/b/", 200, "{\"id\":\"b-out\",\"price\":2}", 400);
        stub.on("/c/", 200, "{\"id\":\"c-out\",\"price\":3}", 400);
        stub.on("/d/", 200, "{\"id\":\"d-out\",\"price\":4}", 0);
        stub.on("/fail/", 500, "{\"error\":\"down\"}", 0);
        stub.on("/slow/", 200, "{\"id\":\"slow-out\",\"price\":5}", 15_000);
        stub.on("/after/", 200, "{\"id\":\"after-out\",\"price\":6}", 0);
    }

    @Test
    void diamondRunsIndependentStepsConcurrentlyAndPassesOutputsOn() {
        String runId = create(api, owner.apiKey(),
                runBody(List.of(step("A", "a", List.of(), Map.of("id", "start")),
                        step("B", "b", List.of("A"), Map.of("id", ref("A", "/id"))),
                        step("C", "c", List.of("A"), Map.of("id", "c-in")),
                        step("D", "d", List.of("B", "C"), Map.of("id", ref("B", "/id"))))));
        JsonPath run = finished(api, owner.apiKey(), runId);
        assertEquals("SUCCESS", run.getString("status"));
        assertEquals("d-out", run.getString("result.D.id"));
        assertEquals("a-out", run.getString("result.A.id"));

        Stub.Received b = only("/b/a-out");
        Stub.Received c = only("/c/c-in");
        assertTrue(b.overlaps(c), "B and C ran at the same time");
        only("/d/b-out");
        assertTrue(only("/a/start").finishedNanos().get() <= b.startedNanos(), "B started after A finished");

        List<String> types = run.getList("events.type");
        assertEquals("RUN_STARTED", types.get(0));
        assertEquals("RUN_SUCCEEDED", types.get(types.size() - 1));
        assertEquals(10, types.size(), "start, 4 x (started, succeeded), end: " + types);
        List<Integer> seqs = run.getList("events.seq");
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(i + 1, seqs.get(i), "events are numbered 1..n in order");
        }
        // on Kafka: the one command and every event keyed by the run id, each with its type header
        assertEquals(List.of(RunRequested.TYPE), KafkaRecords.commandTypes(topics.commands, runId));
        assertEquals(seqs, KafkaRecords.eventSeqs(topics.events, runId), "the run's events on the topic, in order");
        long records = KafkaRecords.eventRecords(topics.events, runId);
        assertTrue(records < seqs.size(), "a write's events share a record: " + records + " for " + seqs.size());
        // the started event carries the exact input the step sent, with the reference resolved
        assertEquals("a-out", run.getString("events.find { it.type == 'STEP_STARTED' && it.stepId == 'B' }.input.id"));
    }

    @Test
    void aFailedStepSkipsItsDependentsAndTheRunIsAPartialSuccess() {
        String runId = create(api, owner.apiKey(),
                runBody(List.of(step("ok", "a", List.of(), Map.of("id", "p1")),
                        step("broken", "fail", List.of(), Map.of("id", "p2")),
                        step("blocked", "d", List.of("broken"), Map.of("id", "p3")))));
        JsonPath run = finished(api, owner.apiKey(), runId);
        assertEquals("PARTIAL_SUCCESS", run.getString("status"));
        assertEquals("a-out", run.getString("result.ok.id"));
        assertEquals("integration_http_error", run.getString("events.find { it.type == 'STEP_FAILED' }.error.code"));
        assertEquals("blocked", run.getString("events.find { it.type == 'STEP_SKIPPED' }.stepId"));
        assertTrue(stub.receivedUnder("/d/p3").isEmpty(), "a skipped step never calls its integration");
    }

    @Test
    void nothingSucceededIsNoSuccess() {
        String runId = create(api, owner.apiKey(), runBody(List.of(step("only", "fail", List.of(), Map.of("id", "n1")),
                step("next", "a", List.of("only"), Map.of("id", "n2")))));
        JsonPath run = finished(api, owner.apiKey(), runId);
        assertEquals("NO_SUCCESS", run.getString("status"));
        assertEquals(List.of("RUN_STARTED", "STEP_STARTED", "STEP_FAILED", "STEP_SKIPPED", "RUN_NO_SUCCESS"),
                run.getList("events.type"));
    }

    @Test
    void theResultIsCheckedAgainstTheOutputSchema() {
        Map<String, Object> body = runBody(List.of(step("A", "a", List.of(), Map.of("id", "s1"))));
        body.put("outputSchema", Map.of("type", "object", "required", List.of("A"), "properties",
                Map.of("A", Map.of("type", "object", "properties", Map.of("price", Map.of("type", "string"))))));
        JsonPath run = finished(api, owner.apiKey(), create(api, owner.apiKey(), body));
        assertEquals("FAILED", run.getString("status"));
        assertEquals("result_schema_violation", run.getString("error.code"));
        assertEquals("/A/price", run.getString("error.violations[0].pointer"));
    }

    @Test
    void plansThatCannotRunAreRefusedWithPointersAndNothingIsWritten() throws Exception {
        long before = runCount(owner.id());
        refused(runBody(List.of(step("A", "a", List.of("B"), Map.of("id", "x")),
                step("B", "b", List.of("A"), Map.of("id", "y")))), "cycle", "/plan/steps/0/dependsOnSteps");
        refused(runBody(List.of(step("A", "a", List.of(), Map.of("id", "x")),
                step("B", "b", List.of(), Map.of("id", ref("A", "/id"))))), "reference_not_ancestor",
                "/plan/steps/1/input/id");
        refused(runBody(List.of(step("A", "a", List.of("nope"), Map.of("id", "x")))), "unknown_step",
                "/plan/steps/0/dependsOnSteps/0");
        refused(runBody(List.of(step("A", "no_such_action", List.of(), Map.of("id", "x")))), "unknown_action",
                "/plan/steps/0/action");
        refused(runBody(List.of(step("A", "a", List.of(), Map.of("id", 7)))), "input_invalid",
                "/plan/steps/0/input/id");
        refused(runBody(List.of(step("A", "a", List.of(), Map.of("id", "x")), step("A", "b", List.of(), Map.of()))),
                "duplicate_step_id", "/plan/steps/1/id");
        Map<String, Object> notSelected = runBody(List.of(step("A", "a", List.of(), Map.of("id", "x"))));
        notSelected.put("selectedCustomerIntegrationIds", List.of("other"));
        refused(notSelected, "integration_not_selected", "/plan/steps/0/action/key");
        Map<String, Object> badStrategy = runBody(List.of(step("A", "a", List.of(), Map.of("id", "x"))));
        badStrategy.put("approvalStrategy", "SOMETIMES");
        refused(badStrategy, "invalid_approval_strategy", "/approvalStrategy");
        Map<String, Object> noPlan = runBody(List.of());
        noPlan.remove("plan");
        refused(noPlan, "plan_required", "/plan");
        Map<String, Object> remote = runBody(List.of(step("A", "a", List.of(), Map.of("id", "x"))));
        remote.put("outputSchema", Map.of("$ref", "http://example.com/schema.json"));
        refused(remote, "remote_ref_refused", "/outputSchema");
        Map<String, Object> missing = new LinkedHashMap<>();
        missing.put("plan", Map.of("steps", List.of()));
        // the runs API documents 400 for an invalid body: each error keeps its code and pointer
        as(api, owner.apiKey()).body(missing).post("/v1/runs").then().statusCode(400)
                .body("errors.status", everyItem(equalTo(400))).body("errors.title", everyItem(equalTo("Bad Request")))
                .body("errors.code", hasItem("missing_intent")).body("errors.source.pointer", hasItem("/intent"))
                .body("errors.source.pointer", hasItem("/userId"))
                .body("errors.source.pointer", hasItem("/selectedCustomerIntegrationIds"));
        as(api, owner.apiKey()).body("{\"intent\": 5, ").post("/v1/runs").then().statusCode(400).body("errors[0].code",
                equalTo("malformed_json"));
        as(api, owner.apiKey()).body(Map.of("intent", List.of(1))).post("/v1/runs").then().statusCode(400)
                .body("errors[0].source.pointer", equalTo("/intent"));
        assertEquals(before, runCount(owner.id()), "no run was written");
        assertEquals(0L,
                query("select count(*) from api.outbox o join api.runs r on r.id = o.run_id where r.owner_id = '"
                        + owner.id() + "'").get(0).get(0));
    }

    private static void refused(Map<String, Object> body, String code, String pointer) {
        as(api, owner.apiKey()).body(body).post("/v1/runs").then().statusCode(400).body("errors.code", hasItem(code))
                .body("errors.source.pointer", hasItem(pointer));
    }

    @Test
    void abortCancelsTheCallInFlightAndNothingAfterItStarts() {
        String runId = create(api, owner.apiKey(), runBody(List.of(step("S", "slow", List.of(), Map.of("id", "ab1")),
                step("T", "after", List.of("S"), Map.of("id", "ab2")))));
        Awaitility.await("slow call in flight").atMost(Duration.ofSeconds(30))
                .until(() -> !stub.receivedUnder("/slow/ab1").isEmpty());
        long start = System.nanoTime();
        as(api, owner.apiKey()).delete("/v1/runs/" + runId).then().statusCode(200).body("status", equalTo("CANCELED"));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "the abort did not wait for the call");
        JsonPath run = finished(api, owner.apiKey(), runId);
        assertEquals("CANCELED", run.getString("status"));
        assertEquals(List.of("RUN_STARTED", "STEP_STARTED", "STEP_CANCELED", "RUN_CANCELED"),
                run.getList("events.type"));
        assertEquals(List.of(RunRequested.TYPE, RunAbortRequested.TYPE),
                KafkaRecords.commandTypes(topics.commands, runId), "the run's commands on Kafka");
        // aborting again is harmless; the step after the cancelled one never started
        as(api, owner.apiKey()).delete("/v1/runs/" + runId).then().statusCode(200).body("status", equalTo("CANCELED"));
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> stub.receivedUnder("/after/ab2").isEmpty());
        assertTrue(executor.metric("runwire_executor_calls_canceled_total") >= 1, "the executor cancelled the call");
    }

    @Test
    void abortingAFinishedRunLeavesItAsItIsAndOtherOwnersCannotAbort() {
        String runId = create(api, owner.apiKey(), runBody(List.of(step("A", "a", List.of(), Map.of("id", "f1")))));
        finished(api, owner.apiKey(), runId);
        // the runs API documents 200, 401 and 404 only: the answer says how the run ended
        as(api, owner.apiKey()).delete("/v1/runs/" + runId).then().statusCode(200).body("runId", equalTo(runId))
                .body("status", equalTo("SUCCESS"));
        assertEquals("SUCCESS", finished(api, owner.apiKey(), runId).getString("status"));
        Owner other = owner(api);
        as(api, other.apiKey()).delete("/v1/runs/" + runId).then().statusCode(404);
        as(api, other.apiKey()).get("/v1/runs/" + runId).then().statusCode(404);
        as(api, owner.apiKey()).delete("/v1/runs/not-a-uuid").then().statusCode(404);
    }

    @Test
    void aRepeatRunsThePlanOfTheRunHoldingTheKeyAgain() {
        Map<String, Object> body = runBody(List.of(step("A", "a", List.of(), Map.of("id", "rep1"))));
        body.put("repeatKey", "nightly-" + System.nanoTime());
        String first = create(api, owner.apiKey(), body);
        JsonPath original = finished(api, owner.apiKey(), first);
        Map<String, Object> again = runBody(List.of());
        again.remove("plan");
        again.put("repeatKey", body.get("repeatKey"));
        JsonPath repeat = as(api, owner.apiKey()).body(again).post("/v1/runs").then().statusCode(201)
                .body("repeatRunId", equalTo(first)).body("repeatKey", equalTo(body.get("repeatKey")))
                .body("plan.plan.steps[0].id", equalTo("A")).extract().jsonPath();
        assertEquals(original.getString("executionPlanId"), repeat.getString("executionPlanId"));
        JsonPath run = finished(api, owner.apiKey(), repeat.getString("runId"));
        assertEquals("SUCCESS", run.getString("status"));
        assertEquals(first, run.getString("repeatRunId"));
        assertEquals(2, stub.receivedUnder("/a/rep1").size(), "the plan ran twice");
        // another owner's identical key is not this run's
        Owner other = owner(api);
        as(api, other.apiKey()).body(again).post("/v1/runs").then().statusCode(400).body("errors[0].code",
                equalTo("plan_required"));
    }

    @Test
    void aFlakyIntegrationIsRetriedByTheActionsPolicyWithOneIdempotencyKey() {
        as(api, owner.apiKey())
                .body(Map.of("key", "flaky", "intent", "Get an item, retried", "inputSchema",
                        Map.of("type", "object", "properties", Map.of("id", Map.of("type", "string"))), "type", "http",
                        "http", Map.of("integrationKey", "stub", "method", "GET", "path", "/flaky/{id}"), "timeoutMs",
                        5_000, "retry", Map.of("maxAttempts", 3, "backoffMs", 50)))
                .post("/v1/actions").then().statusCode(201).body("retry.maxAttempts", equalTo(3));
        stub.once("/flaky/r1", 503, "{\"error\":\"busy\"}");
        stub.once("/flaky/r1", 429, "{\"error\":\"slow down\"}");
        stub.on("/flaky/r1", 200, "{\"id\":\"r1\",\"price\":1}", 0);
        String runId = create(api, owner.apiKey(), runBody(List.of(step("R", "flaky", List.of(), Map.of("id", "r1")))));
        JsonPath run = finished(api, owner.apiKey(), runId);
        assertEquals("SUCCESS", run.getString("status"));
        List<Stub.Received> calls = stub.receivedUnder("/flaky/r1");
        assertEquals(3, calls.size(), "two failures, then success");
        assertEquals(1, calls.stream().map(c -> c.header("Idempotency-Key")).distinct().count());
        assertEquals(2, run.getList("events.findAll { it.type == 'STEP_RETRYING' }").size());

        // a client error is not retried
        stub.on("/flaky/r2", 400, "{\"error\":\"bad\"}", 0);
        JsonPath failed = finished(api, owner.apiKey(),
                create(api, owner.apiKey(), runBody(List.of(step("R", "flaky", List.of(), Map.of("id", "r2"))))));
        assertEquals("NO_SUCCESS", failed.getString("status"));
        assertEquals(1, stub.receivedUnder("/flaky/r2").size());
        as(api, owner.apiKey())
                .body(Map.of("key", "flaky_bad", "intent", "x", "type", "http", "http",
                        Map.of("integrationKey", "stub", "method", "GET", "path", "/x"), "retry",
                        Map.of("maxAttempts", 11, "backoffMs", 0)))
                .post("/v1/actions").then().statusCode(422)
                .body("errors[0].source.pointer", equalTo("/retry/maxAttempts"));
    }

    private static Stub.Received only(String path) {
        List<Stub.Received> calls = new ArrayList<>(stub.receivedUnder(path));
        assertEquals(1, calls.size(), "exactly one call to " + path);
        assertFalse(calls.get(0).path().isEmpty());
        return calls.get(0);
    }
}

package dev.runwire.system.run;

import static dev.runwire.system.support.Plans.runBody;
import static dev.runwire.system.support.Plans.step;
import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.response.Response;

import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * {@code Idempotency-Key}: a repeat replays the first answer without a new run; another body with the key is a 422; a
 * repeat while the first is in flight is a 409; concurrent requests with one key make one run; keys are per owner.
 */
class IdempotencyIT {

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stub;
    @NewOwner(actions = { "a", "slow" })
    static Owner owner;

    @BeforeAll
    static void answers() {
        stub.on("/a/", 200, "{\"id\":\"a-out\",\"price\":1}", 0);
        stub.on("/slow/", 200, "{\"id\":\"s\",\"price\":1}", 800);
    }

    static Response post(Owner who, String path, String key, Object body) {
        return as(api, who.apiKey()).header("Idempotency-Key", key).body(body).post(path);
    }

    @Test
    void aRepeatReplaysTheFirstAnswerAndAnotherBodyIsRefused() throws Exception {
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = runBody(List.of(step("A", "a", List.of(), Map.of("id", "i1"))));
        long before = runCount(owner.id());
        Response first = post(owner, "/v1/runs", key, body);
        first.then().statusCode(201);
        Response again = post(owner, "/v1/runs", key, body);
        again.then().statusCode(201).header("Idempotent-Replayed", "true").header("Location", first.header("Location"))
                .body("runId", equalTo(first.path("runId")));
        assertEquals(before + 1, runCount(owner.id()), "one run for two requests");

        Map<String, Object> other = runBody(List.of(step("A", "a", List.of(), Map.of("id", "i2"))));
        post(owner, "/v1/runs", key, other).then().statusCode(422).body("errors[0].code",
                equalTo("idempotency_key_reused"));
        // a refused request is answered the same way again
        Map<String, Object> invalid = runBody(List.of(step("A", "nope", List.of(), Map.of())));
        String badKey = UUID.randomUUID().toString();
        post(owner, "/v1/runs", badKey, invalid).then().statusCode(400).body("errors[0].code",
                equalTo("unknown_action"));
        post(owner, "/v1/runs", badKey, invalid).then().statusCode(400).header("Idempotent-Replayed", "true")
                .body("errors[0].code", equalTo("unknown_action"));
        assertEquals(before + 1, runCount(owner.id()));
        post(owner, "/v1/runs", "x".repeat(256), body).then().statusCode(400).body("errors[0].source.header",
                equalTo("Idempotency-Key"));
    }

    @Test
    void concurrentRequestsWithOneKeyMakeOneRun() throws Exception {
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = runBody(List.of(step("A", "a", List.of(), Map.of("id", "c1"))));
        long before = runCount(owner.id());
        ExecutorService clients = Executors.newFixedThreadPool(10);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                answers.add(clients.submit(() -> post(owner, "/v1/runs", key, body)));
            }
            Set<String> runIds = new java.util.HashSet<>();
            for (Future<Response> answer : answers) {
                Response response = answer.get();
                assertTrue(response.statusCode() == 201 || response.statusCode() == 409,
                        response.statusCode() + " " + response.asString());
                if (response.statusCode() == 201) {
                    runIds.add(response.path("runId"));
                }
            }
            assertEquals(1, runIds.size(), "every 201 names the same run");
        } finally {
            clients.shutdownNow();
        }
        assertEquals(before + 1, runCount(owner.id()));
    }

    @Test
    void aRepeatWhileTheFirstIsInFlightIsAConflict() throws Exception {
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = Map.of("key", "slow", "userId", "u", "input", Map.of("id", "f1"));
        ExecutorService clients = Executors.newSingleThreadExecutor();
        try {
            Future<Response> first = clients.submit(() -> post(owner, "/v1/actions/run", key, body));
            org.awaitility.Awaitility.await().until(() -> !stub.receivedUnder("/slow/f1").isEmpty());
            post(owner, "/v1/actions/run", key, body).then().statusCode(409).body("errors[0].code",
                    equalTo("request_in_flight"));
            first.get().then().statusCode(200).body("output.id", equalTo("s"));
            post(owner, "/v1/actions/run", key, body).then().statusCode(200).header("Idempotent-Replayed", "true")
                    .body("output.id", equalTo("s"));
        } finally {
            clients.shutdownNow();
        }
        assertEquals(1, stub.receivedUnder("/slow/f1").size(), "the action ran once");
    }

    @Test
    void keysBelongToAnOwner() throws Exception {
        String key = UUID.randomUUID().toString();
        Owner other = owner(api);
        integration(api, other.apiKey(), "stub", stub.baseUrl());
        action(api, other.apiKey(), "a", "stub", "/a", 10_000);
        Map<String, Object> body = runBody(List.of(step("A", "a", List.of(), Map.of("id", "o1"))));
        String mine = post(owner, "/v1/runs", key, body).then().statusCode(201).extract().path("runId");
        String theirs = post(other, "/v1/runs", key, body).then().statusCode(201).extract().path("runId");
        assertTrue(!mine.equals(theirs), "another owner's identical key is another request");
        assertEquals(1L, runCount(other.id()));
        assertEquals(Set.of(mine), Set.of(post(owner, "/v1/runs", key, body).path("runId").toString()).stream()
                .collect(Collectors.toSet()));
    }
}

package dev.runwire.api.run.accept;

import static dev.runwire.api.Owners.action;
import static dev.runwire.api.Owners.as;
import static dev.runwire.api.Owners.integration;
import static dev.runwire.api.Owners.newOwnerKey;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.Owners;
import dev.runwire.api.RunTopics;
import dev.runwire.model.Topics;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.json.Json;

/**
 * The one write path of runs, seen from outside: a run accepted on the runs API is a {@code QUEUED} row and one command
 * on the commands topic, keyed by the run id and typed in its {@code rw-type} header, whose outbox row is gone once it
 * is published. No executor runs here, so the runs stay queued.
 */
@QuarkusTest
class RunAcceptorTest {

    @Inject
    Pool pool;

    @Inject
    MeterRegistry registry;

    String key;
    RunTopics.Tail commands;

    @BeforeEach
    void ownerAndConsumer() {
        key = newOwnerKey();
        integration(key, "stub", "http://127.0.0.1:9");
        as(key).body(action("get_item", "stub")).post("/v1/actions").then().statusCode(201);

        commands = RunTopics.tail(Topics.RUN_COMMANDS);
    }

    @AfterEach
    void close() {
        commands.close();
    }

    @Test
    void anActionRunIsOneQueuedRowAndOneCommandKeyedByTheRun() {
        String runId = as(key)
                .body(Map.of("key", "get_item", "userId", "u1", "input", Map.of("id", "42"), "async", true))
                .post("/v1/actions/run").then().statusCode(202).extract().path("runId");

        ConsumerRecord<String, String> command = commands.recordOf(runId);
        assertEquals(RunRequested.TYPE, RunTopics.header(command, Topics.TYPE_HEADER));
        JsonNode payload = Json.tree(command.value());
        assertEquals(runId, payload.get("runId").asText());
        assertEquals("ACTION", payload.get("kind").asText());
        assertEquals("get_item", payload.get("steps").get(0).get("action").get("key").asText());

        Row run = run(runId);
        assertEquals("QUEUED", run.getString("status"));
        assertEquals("native", run.getString("surface"));
        assertEquals("get_item", run.getString("action_key"));
        assertEquals(1, run.getInteger("action_version"));
        assertEquals("u1", run.getString("user_id"));
        assertEquals("NONE", run.getString("approval_strategy"));
        await().atMost(Duration.ofSeconds(10)).until(() -> outboxRows(runId) == 0);
    }

    @Test
    void aPlanRunIsOneQueuedRowAndOneCommandKeyedByTheRun() {
        String runId = as(key)
                .body(Map.of("intent", "get two items", "userId", "u2", "selectedCustomerIntegrationIds", List.of("*"),
                        "plan",
                        Map.of("steps",
                                List.of(Map.of("id", "a", "description", "first", "action", Map.of("key", "get_item"),
                                        "input", Map.of("id", "1")),
                                        Map.of("id", "b", "description", "second", "dependsOnSteps", List.of("a"),
                                                "action", Map.of("key", "get_item"), "input", Map.of("id", "2"))))))
                .post("/v1/runs").then().log().ifValidationFails().statusCode(201).extract().path("runId");

        ConsumerRecord<String, String> command = commands.recordOf(runId);
        assertEquals(RunRequested.TYPE, RunTopics.header(command, Topics.TYPE_HEADER));
        JsonNode payload = Json.tree(command.value());
        assertEquals("PLAN", payload.get("kind").asText());
        assertEquals(2, payload.get("steps").size());

        Row run = run(runId);
        assertEquals("QUEUED", run.getString("status"));
        assertEquals("native", run.getString("surface"));
        assertEquals(null, run.getString("action_key"));
        assertEquals("get two items", run.getString("intent"));
        await().atMost(Duration.ofSeconds(10)).until(() -> outboxRows(runId) == 0);
    }

    @Test
    void aTalkoverAgentActionIsRecordedAsItselfNotAsARegistryAction() {
        String agentId = as(key).body(Map.of("name", "Front desk", "description", "Answers calls"))
                .post("/api/v1/agents").then().statusCode(201).extract().path("data.id");
        Map<String, Object> field = Map.of("name", "transfer_to", "type", "string", "required", true, "description",
                "transfer to");
        String actionId = as(key)
                .body(Map.of("name", "Transfer Call", "label", "Transfer Call", "description", "Transfers the call",
                        "type", "transfer", "input_schema", List.of(field), "current_status", "active"))
                .post("/api/v1/agents/" + agentId + "/actions").then().statusCode(201).extract().path("data.id");
        String runId = as(key).body(Map.of("input", Map.of("transfer_to", "+15550100")))
                .post("/api/v1/agents/" + agentId + "/actions/" + actionId + "/run").then().statusCode(200).extract()
                .path("data.run_id");

        ConsumerRecord<String, String> command = commands.recordOf(runId);
        assertEquals(RunRequested.TYPE, RunTopics.header(command, Topics.TYPE_HEADER));
        JsonNode step = Json.tree(command.value()).get("steps").get(0);
        assertEquals("agent-action:Transfer Call", step.get("action").get("key").asText());
        assertEquals("external", step.get("action").get("type").asText());

        Row run = run(runId);
        assertEquals("QUEUED", run.getString("status"));
        assertEquals("agent-action:Transfer Call", run.getString("action_key"));
        assertEquals(1, run.getInteger("action_version"));
        assertEquals(UUID.fromString(actionId), run.getUUID("action_id"));
        assertEquals("Transfers the call", run.getString("intent"));
    }

    /**
     * Concurrent requests share commits ({@code GroupCommit}), and each still gets its own answer: a balance of five
     * tasks admits exactly five of 48 simultaneous billable runs, whichever transactions they shared, and every
     * admitted run is one queued row with one command.
     */
    @Test
    void concurrentRequestsShareCommitsAndEachGetsItsOwnAnswer() throws Exception {
        Owners.Owner owner = Owners.newOwner();
        integration(owner.key(), "stub", "http://127.0.0.1:9");
        as(owner.key()).body(action("get_item", "stub")).post("/v1/actions").then().statusCode(201);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer test-admin-token")
                .body(Map.of("tasks", 5, "note", "test")).post("/admin/owners/" + owner.id() + "/tasks").then()
                .statusCode(200);
        double commitsBefore = counter("runwire.accept.commits");
        double writesBefore = counter("runwire.accept.writes");

        int requests = 48;
        ExecutorService callers = Executors.newFixedThreadPool(requests);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<io.restassured.response.Response>> answers = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            String userId = "u" + i;
            answers.add(callers.submit(() -> {
                start.await();
                return as(owner.key())
                        .body(Map.of("key", "get_item", "userId", userId, "input", Map.of("id", "1"), "async", true))
                        .post("/v1/actions/run");
            }));
        }
        start.countDown();
        List<String> admitted = new ArrayList<>();
        int refused = 0;
        for (Future<io.restassured.response.Response> answer : answers) {
            io.restassured.response.Response response = answer.get(30, TimeUnit.SECONDS);
            if (response.statusCode() == 202) {
                admitted.add(response.path("runId"));
            } else {
                assertEquals(402, response.statusCode(), response.asString());
                refused++;
            }
        }
        callers.shutdown();

        assertEquals(5, admitted.size());
        assertEquals(requests - 5, refused);
        for (String runId : admitted) {
            assertEquals("QUEUED", run(runId).getString("status"));
        }
        assertEquals(5, commands.recordsOf(admitted).size());
        long rows = pool.preparedQuery("select count(*) from api.runs where owner_id = $1")
                .execute(Tuple.of(owner.id())).await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
        assertEquals(5, rows);
        double writes = counter("runwire.accept.writes") - writesBefore;
        double commits = counter("runwire.accept.commits") - commitsBefore;
        assertEquals(requests, writes, 0.0);
        assertTrue(commits < writes, commits + " commits for " + writes + " requests");
    }

    private double counter(String name) {
        return registry.get(name).functionCounter().count();
    }

    private Row run(String runId) {
        var rows = pool.preparedQuery("select * from api.runs where id = $1").execute(Tuple.of(UUID.fromString(runId)))
                .await().atMost(Duration.ofSeconds(5));
        assertEquals(1, rows.size());
        return rows.iterator().next();
    }

    private long outboxRows(String runId) {
        return pool.preparedQuery("select count(*) from api.outbox where run_id = $1")
                .execute(Tuple.of(UUID.fromString(runId))).await().atMost(Duration.ofSeconds(5)).iterator().next()
                .getLong(0);
    }
}

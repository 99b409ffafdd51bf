package dev.runwire.api.run;

import static dev.runwire.api.Owners.action;
import static dev.runwire.api.Owners.as;
import static dev.runwire.api.Owners.integration;
import static dev.runwire.api.Owners.newOwner;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.Owners.Owner;
import dev.runwire.api.RunTopics;
import dev.runwire.model.Topics;
import dev.runwire.model.approval.ApprovalTokens;
import dev.runwire.model.command.ApprovalDecided;
import dev.runwire.model.json.Json;

/**
 * An approval decided on the runs API becomes one decision row and one command for the executor, keyed by the run and
 * typed in {@code rw-type}, written with its outbox row in one statement; a second decision on the same approval and
 * another owner's token write nothing. The tokens are issued here as the executor issues them.
 */
@QuarkusTest
class ApprovalDecisionTest {

    @Inject
    Pool pool;

    Owner owner;
    ApprovalTokens tokens;
    RunTopics.Tail commands;

    @BeforeEach
    void ownerAndCommands() {
        owner = newOwner();
        integration(owner.key(), "stub", "http://127.0.0.1:9");
        as(owner.key()).body(action("get_item", "stub")).post("/v1/actions").then().statusCode(201);
        tokens = new ApprovalTokens(ConfigProvider.getConfig().getValue("runwire.secrets.key", String.class));
        commands = RunTopics.tail(Topics.RUN_COMMANDS);
    }

    @AfterEach
    void close() {
        commands.close();
    }

    @Test
    void aDecisionIsOneRowAndOneCommandKeyedByTheRunAndASecondOneWritesNothing() {
        UUID runId = acceptedRun();
        commands.recordOf(runId.toString()); // the run's own command
        String approve = token(owner.id(), runId, ApprovalTokens.APPROVE);
        String deny = token(owner.id(), runId, ApprovalTokens.DENY);

        as(owner.key()).queryParam("token", approve).get("/v1/runs/approval").then().statusCode(201)
                .body("decision", equalTo("APPROVE")).body("alreadyDecided", equalTo(false));

        ConsumerRecord<String, String> command = commands.recordOf(runId.toString());
        assertEquals(ApprovalDecided.TYPE, RunTopics.header(command, Topics.TYPE_HEADER));
        JsonNode payload = Json.tree(command.value());
        assertEquals(runId.toString(), payload.get("runId").asText());
        assertEquals(owner.id().toString(), payload.get("ownerId").asText());
        assertEquals("APPROVE", payload.get("decision").asText());
        assertEquals(1, count("select count(*) from api.approvals where run_id = $1", runId));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> count("select count(*) from api.outbox where run_id = $1", runId) == 0);

        // the deny token of the same approval reports the first decision and writes nothing
        as(owner.key()).queryParam("token", deny).get("/v1/runs/approval").then().statusCode(201)
                .body("decision", equalTo("APPROVE")).body("alreadyDecided", equalTo(true));
        assertEquals(1, count("select count(*) from api.approvals where run_id = $1", runId));
    }

    @Test
    void anotherOwnersTokenAnswersLikeAForgedOneAndWritesNothing() {
        UUID runId = acceptedRun();
        Owner stranger = newOwner();
        String theirs = token(owner.id(), runId, ApprovalTokens.APPROVE);

        as(stranger.key()).queryParam("token", theirs).get("/v1/runs/approval").then().statusCode(400)
                .body("errors[0].code", equalTo("invalid_token"));
        as(owner.key()).queryParam("token", theirs + "x").get("/v1/runs/approval").then().statusCode(400)
                .body("errors[0].code", equalTo("invalid_token"));
        assertEquals(0, count("select count(*) from api.approvals where run_id = $1", runId));
    }

    private UUID acceptedRun() {
        String runId = as(owner.key())
                .body(Map.of("key", "get_item", "userId", "u1", "input", Map.of("id", "42"), "async", true))
                .post("/v1/actions/run").then().statusCode(202).extract().path("runId");
        return UUID.fromString(runId);
    }

    private String token(UUID ownerId, UUID runId, String decision) {
        return tokens.issue(new ApprovalTokens.Approval(ownerId, runId, null, decision, null,
                Instant.now().plus(Duration.ofMinutes(10))));
    }

    private long count(String sql, UUID runId) {
        return pool.preparedQuery(sql).execute(Tuple.of(runId)).await().atMost(Duration.ofSeconds(5)).iterator().next()
                .getLong(0);
    }
}

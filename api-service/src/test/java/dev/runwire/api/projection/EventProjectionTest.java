package dev.runwire.api.projection;

import static dev.runwire.api.Owners.action;
import static dev.runwire.api.Owners.as;
import static dev.runwire.api.Owners.integration;
import static dev.runwire.api.Owners.newOwnerKey;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.RunTopics;
import dev.runwire.model.DeadLetter;
import dev.runwire.model.Topics;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;

/**
 * The read model is a projection of the events topic: the test plays the executor, publishing a run's events as records
 * keyed by the run, and looks at the rows and at the API. Redelivered events change nothing, an older event never takes
 * a run's status back, and a record that is not a run event goes to the dead-letter topic without stopping the
 * projection. No executor runs here.
 */
@QuarkusTest
class EventProjectionTest {

    private static final JsonNode OUTPUT = Json.tree("{\"id\":\"42\",\"name\":\"answer\"}");

    @Inject
    Pool pool;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    String key;
    RunTopics topics;

    @BeforeEach
    void ownerWithAnAction() {
        key = newOwnerKey();
        integration(key, "stub", "http://127.0.0.1:9");
        as(key).body(action("get_item", "stub")).post("/v1/actions").then().statusCode(201);
        topics = new RunTopics();
    }

    @AfterEach
    void close() {
        topics.close();
    }

    @Test
    void aRunsEventsBecomeItsRowsAndItsAnswerOnce() {
        UUID runId = acceptedRun();
        List<RunEvent> events = finishedRun(runId);

        topics.publish(events.toArray(RunEvent[]::new));
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCESS".equals(run(runId).getString("status")));

        Row run = run(runId);
        assertEquals(4, run.getLong("last_seq"));
        assertEquals(OUTPUT, Json.tree(run.getString("result_json")));
        assertEquals(List.of("RUN_STARTED", "STEP_STARTED", "STEP_SUCCEEDED", "RUN_SUCCEEDED"), storedTypes(runId));
        as(key).get("/v1/runs/" + runId).then().statusCode(200).body("status", equalTo("SUCCESS"));

        // a redelivery (another replica took the partition before the offsets were committed) stores nothing twice,
        // and an older event does not take the run back to RUNNING
        topics.publish(events.toArray(RunEvent[]::new));
        topics.publish(events.get(1));
        UUID marker = acceptedRun();
        topics.publish(event(marker, 1, RunEventType.RUN_STARTED, null, RunStatus.RUNNING, null));
        await().atMost(Duration.ofSeconds(20)).until(() -> run(marker).getLong("last_seq") == 1);
        assertEquals(List.of("RUN_STARTED", "STEP_STARTED", "STEP_SUCCEEDED", "RUN_SUCCEEDED"), storedTypes(runId));
        assertEquals("SUCCESS", run(runId).getString("status"));
        assertEquals(4, run(runId).getLong("last_seq"));
    }

    /**
     * The read model commits without waiting for its WAL flush and acknowledges a batch only once PostgreSQL flushed
     * it: the acknowledgements must still come, or a restart would read everything again.
     */
    @Test
    void storedEventsHaveTheirOffsetsCommittedOnceFlushed() throws Exception {
        UUID runId = acceptedRun();
        topics.publish(finishedRun(runId).toArray(RunEvent[]::new));
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCESS".equals(run(runId).getString("status")));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("runwire-api-store")
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(List.of(Topics.RUN_EVENTS)).allTopicNames().get().get(Topics.RUN_EVENTS)
                        .partitions().forEach(p -> latest.put(new TopicPartition(Topics.RUN_EVENTS, p.partition()),
                                OffsetSpec.latest()));
                var ends = admin.listOffsets(latest).all().get();
                return latest.keySet().stream().allMatch(tp -> ends.get(tp).offset() == 0
                        || committed.get(tp) != null && committed.get(tp).offset() == ends.get(tp).offset());
            });
        }
        Row epoch = pool.query("select epoch from api.wal_epoch").execute().await().indefinitely().iterator().next();
        assertNotNull(epoch.getUUID("epoch"), "the first look at the WAL starts an epoch");
    }

    @Test
    void aRecordThatIsNoRunEventIsSetAsideAndTheNextEventIsStored() {
        UUID runId = acceptedRun();
        String poisonKey = UUID.randomUUID().toString();
        try (RunTopics.Tail deadLetters = RunTopics.tail(Topics.RUN_EVENTS_DLQ)) {
            topics.send(Topics.RUN_EVENTS, poisonKey, RunEvent.TYPE, "{\"not\": \"an event\"");
            topics.publish(event(runId, 1, RunEventType.RUN_STARTED, null, RunStatus.RUNNING, null));

            ConsumerRecord<String, String> setAside = deadLetters.recordOf(poisonKey);
            assertEquals("invalid_record", RunTopics.header(setAside, DeadLetter.REASON));
            assertEquals(Topics.RUN_EVENTS, RunTopics.header(setAside, DeadLetter.TOPIC));
            assertEquals("{\"not\": \"an event\"", setAside.value());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> "RUNNING".equals(run(runId).getString("status")));
        assertEquals(List.of("RUN_STARTED"), storedTypes(runId));
    }

    /** The executor sends the events of one write as one record: stored as rows, once, like lone events. */
    @Test
    void aWritesEventsInOneRecordBecomeRowsOnceAndAMixedRecordIsSetAsideWhole() {
        UUID runId = acceptedRun();
        UUID other = acceptedRun();
        List<RunEvent> events = finishedRun(runId);
        String mixedKey = other.toString();
        try (RunTopics.Tail deadLetters = RunTopics.tail(Topics.RUN_EVENTS_DLQ)) {
            topics.publishTogether(events.get(0), events.get(1));
            // events of two runs in one record: no write of the executor looks like that
            topics.publishTogether(event(other, 1, RunEventType.RUN_STARTED, null, RunStatus.RUNNING, null),
                    event(runId, 5, RunEventType.RUN_FAILED, null, RunStatus.FAILED, null));
            topics.publishTogether(events.get(2), events.get(3));
            await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCESS".equals(run(runId).getString("status")));
            ConsumerRecord<String, String> setAside = deadLetters.recordOf(mixedKey);
            assertEquals("invalid_record", RunTopics.header(setAside, DeadLetter.REASON));
        }
        topics.publishTogether(events.toArray(RunEvent[]::new));
        UUID marker = acceptedRun();
        topics.publish(event(marker, 1, RunEventType.RUN_STARTED, null, RunStatus.RUNNING, null));
        await().atMost(Duration.ofSeconds(20)).until(() -> run(marker).getLong("last_seq") == 1);
        assertEquals(List.of("RUN_STARTED", "STEP_STARTED", "STEP_SUCCEEDED", "RUN_SUCCEEDED"), storedTypes(runId));
        assertEquals(4, run(runId).getLong("last_seq"));
        assertEquals(List.of(), storedTypes(other), "nothing of the mixed record is stored");
    }

    @Test
    void anEventOfARunThatWasNeverAcceptedIsNotStored() {
        UUID stranger = UUID.randomUUID();
        UUID runId = acceptedRun();
        topics.publish(event(stranger, 1, RunEventType.RUN_STARTED, null, RunStatus.RUNNING, null),
                event(runId, 1, RunEventType.RUN_STARTED, null, RunStatus.RUNNING, null));

        await().atMost(Duration.ofSeconds(20)).until(() -> "RUNNING".equals(run(runId).getString("status")));
        assertEquals(List.of(), storedTypes(stranger));
    }

    private UUID acceptedRun() {
        String runId = as(key)
                .body(Map.of("key", "get_item", "userId", "u1", "input", Map.of("id", "42"), "async", true))
                .post("/v1/actions/run").then().statusCode(202).extract().path("runId");
        return UUID.fromString(runId);
    }

    /** The four events of a single-step run that succeeded, as the executor numbers them. */
    private static List<RunEvent> finishedRun(UUID runId) {
        return List.of(event(runId, 1, RunEventType.RUN_STARTED, null, RunStatus.RUNNING, null),
                event(runId, 2, RunEventType.STEP_STARTED, "get_item", RunStatus.RUNNING, null),
                event(runId, 3, RunEventType.STEP_SUCCEEDED, "get_item", RunStatus.RUNNING, OUTPUT),
                event(runId, 4, RunEventType.RUN_SUCCEEDED, null, RunStatus.SUCCESS, OUTPUT));
    }

    private static RunEvent event(UUID runId, long seq, RunEventType type, String stepId, RunStatus status,
            JsonNode output) {
        return new RunEvent(RunEvent.idFor(runId, seq), runId, seq, type, stepId, null, Instant.now(), status, null,
                output, null, null, null, null);
    }

    private Row run(UUID runId) {
        var rows = pool
                .preparedQuery("select status, last_seq, result::text as result_json from api.runs where id = $1")
                .execute(Tuple.of(runId)).await().atMost(Duration.ofSeconds(5));
        assertEquals(1, rows.size());
        return rows.iterator().next();
    }

    private List<String> storedTypes(UUID runId) {
        var rows = pool.preparedQuery("select type from api.run_events where run_id = $1 order by seq")
                .execute(Tuple.of(runId)).await().atMost(Duration.ofSeconds(5));
        return StreamSupport.stream(rows.spliterator(), false).map(r -> r.getString("type")).toList();
    }
}

package dev.runwire.system.resilience;

import static dev.runwire.system.support.KafkaRecords.readAll;
import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.newOwner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.runwire.model.DeadLetter;
import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;

/**
 * Poison: whatever one record or one run's data does, the executor fails that run (FAILED, with a reason and its normal
 * terminal event), acknowledges the command and handles the next; a record that is no command goes to the dead-letter
 * topic with headers saying why. Both services stay live and ready, and a normal run succeeds right after — also after
 * the executor is restarted (no crash loop). Commands the api-service would refuse today are written to the commands
 * topic directly, as a bug or an older api-service could: the executor is the second wall.
 */
class PoisonIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static IsolatedTopics topics;
    @NewStub
    private static Stub stub;
    private static ServiceProcess api;
    private static ServiceProcess executor;
    private static Map<String, String> executorEnv;
    private static String key;
    /** The command of a run the api-service accepted: the shape the poisoned commands are made from. */
    private static ObjectNode template;
    private static String templateRunId;

    @BeforeAll
    static void start() throws Exception {
        topics = new IsolatedTopics("poison");
        stub.on("/item/", 200, "{\"id\":\"1\",\"price\":1}", 0);
        // PostgreSQL refuses a NUL in jsonb: the step's output cannot be stored
        stub.on("/nul/", 200, "{\"id\":\"a\\u0000b\",\"price\":1}", 0);
        api = ServiceProcess.api("api-poison", topics.apiEnv(Map.of("RUNWIRE_RUN_SYNC_WAIT", "5s"))).start();
        executorEnv = new HashMap<>(topics.executorEnv());
        // small enough that an ordinary request body makes an event too large for it
        executorEnv.put("RUNWIRE_EXECUTION_MAX_EVENT_BYTES", "100000");
        executor = ServiceProcess.executor("executor-poison-1", executorEnv).start();
        SystemUnderTest.awaitFlowing(api);
        key = newOwner(api);
        integration(api, key, "stub", stub.baseUrl());
        action(api, key, "item", "stub", "/item", 5_000);
        action(api, key, "nul", "stub", "/nul", 5_000);
        templateRunId = normalRunSucceeds();
        template = (ObjectNode) JSON.readTree(commandOf(templateRunId));
    }

    @AfterAll
    static void stop() throws Exception {
        if (executor != null) {
            executor.close();
        }
        if (api != null) {
            api.close();
        }
        if (topics != null) {
            topics.close();
        }
    }

    @Test
    void poisonFailsItsRunOrGoesToTheDeadLetterTopicAndNothingElseStops() throws Exception {
        // records that are no command
        send(UUID.randomUUID().toString(), "this is not JSON {".getBytes(StandardCharsets.UTF_8));
        send(UUID.randomUUID().toString(), ("{\"type\":\"run.unheard-of.v9\",\"runId\":\"" + UUID.randomUUID() + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        send(UUID.randomUUID().toString(), "{\"type\":\"run.requested.v1\"}".getBytes(StandardCharsets.UTF_8));

        // a header value the HTTP client refuses (CR/LF: header injection)
        String injected = poisoned(command -> ((ObjectNode) step(command).get("action").get("http")).set("headers",
                JSON.createObjectNode().put("X-Trace", "v\r\nX-Injected: 1")));
        // an output schema nested 400 levels: validating it overflows a naive validator's stack
        String deepSchema = poisoned(command -> command.set("outputSchema", nested("allOf", 400)));
        // a command the executor's own logic cannot follow (its steps missing)
        String noSteps = poisoned(command -> command.remove("steps"));
        // an event larger than the executor's limit: a big input in STEP_STARTED
        String large = as(api, key)
                .body(Map.of("key", "item", "userId", "u", "async", true, "input",
                        Map.of("id", "big", "padding", "x".repeat(150_000))))
                .post("/v1/actions/run").then().statusCode(202).extract().path("runId");
        // an integration answer PostgreSQL cannot store (NUL)
        String nul = as(api, key).body(Map.of("key", "nul", "userId", "u", "async", true, "input", Map.of("id", "n")))
                .post("/v1/actions/run").then().statusCode(202).extract().path("runId");

        Map<String, List<String>> expected = Map.of(injected, List.of("request_refused"), deepSchema,
                List.of("run_too_complex", "invalid_schema", "schema_too_costly", "schema_too_complex"), noSteps,
                List.of("internal_error"), large, List.of("event_too_large"), nul, List.of("unstorable_data"));
        for (Map.Entry<String, List<String>> run : expected.entrySet()) {
            Awaitility.await("run " + run.getKey() + " failed").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250)).until(() -> "FAILED".equals(status(run.getKey())));
            String code = (String) query("select error->>'code' from api.runs where id = '" + run.getKey() + "'").get(0)
                    .get(0);
            assertTrue(run.getValue().contains(code), "run " + run.getKey() + " failed with " + code);
            assertContiguousWithOneEnd(run.getKey());
        }
        assertTrue(stub.received.stream().noneMatch(r -> r.header("X-Injected") != null),
                "no header was ever injected into a call");
        assertEquals(0, stub.receivedUnder("/item/big").size(), "the run whose event was too large called nothing");

        List<ConsumerRecord<String, byte[]>> dead = deadLetters(3);
        List<String> reasons = dead.stream().map(r -> header(r, DeadLetter.REASON)).sorted().toList();
        assertEquals(List.of("invalid_record", "not_json", "unknown_type"), reasons);
        for (ConsumerRecord<String, byte[]> letter : dead) {
            assertEquals(topics.commands, header(letter, DeadLetter.TOPIC));
            assertNotNull(header(letter, DeadLetter.OFFSET));
            assertNotNull(header(letter, DeadLetter.PARTITION));
        }
        assertEquals("this is not JSON {",
                dead.stream().filter(r -> "not_json".equals(header(r, DeadLetter.REASON)))
                        .map(r -> new String(r.value(), StandardCharsets.UTF_8)).findFirst().orElseThrow(),
                "the dead letter keeps the record as it was");
        assertTrue(executor.metric("runwire_dead_letters_total") >= 3, "dead letters are counted");

        // the read model's consumer: records that are no run event are set aside, the events after them stored
        sendTo(topics.events, UUID.randomUUID().toString(), "not an event".getBytes(StandardCharsets.UTF_8));
        sendTo(topics.events, UUID.randomUUID().toString(),
                ("{\"eventId\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8));
        List<ConsumerRecord<String, byte[]>> deadEvents = new ArrayList<>();
        Awaitility.await("dead event letters").atMost(Duration.ofSeconds(30)).until(() -> {
            deadEvents.clear();
            deadEvents.addAll(readAll(topics.eventsDlq));
            return deadEvents.size() >= 2;
        });
        assertTrue(
                deadEvents.stream()
                        .allMatch(r -> "invalid_record".equals(header(r, DeadLetter.REASON))
                                && topics.events.equals(header(r, DeadLetter.TOPIC))),
                "both set aside with the reason");
        assertTrue(api.metric("runwire_dead_letters_total") >= 2, "the api-service counts its dead letters");

        assertHealthy();
        normalRunSucceeds();

        // no crash loop: a new executor reads whatever was not committed yet and goes on
        executor.stop();
        executor = ServiceProcess.executor("executor-poison-2", executorEnv).start();
        assertHealthy();
        normalRunSucceeds();
        for (String runId : expected.keySet()) {
            assertEquals("FAILED", status(runId), "run " + runId + " stays failed");
            assertContiguousWithOneEnd(runId);
        }
        assertFalse(api.logText().contains("Thread blocked"), "no event loop of the api-service was blocked");
        assertFalse(executor.logText().contains("Thread blocked"), "no event loop of the executor was blocked");
    }

    private static String normalRunSucceeds() {
        return as(api, key).body(Map.of("key", "item", "userId", "u", "input", Map.of("id", "ok")))
                .post("/v1/actions/run").then().statusCode(200).body("output.id", equalTo("1")).extract().path("runId");
    }

    private static void assertHealthy() {
        for (ServiceProcess service : List.of(api, executor)) {
            io.restassured.RestAssured.given().baseUri(service.managementUrl()).get("/q/health/live").then()
                    .statusCode(200);
            io.restassured.RestAssured.given().baseUri(service.managementUrl()).get("/q/health/ready").then()
                    .statusCode(200);
        }
    }

    /** The run's events in the read model: 1..n without gap or duplicate, exactly one terminal event, the last. */
    private static void assertContiguousWithOneEnd(String runId) throws Exception {
        List<List<Object>> rows = query(
                "select seq, type from api.run_events where run_id = '" + runId + "' order by seq");
        assertFalse(rows.isEmpty(), "run " + runId + " has events");
        for (int i = 0; i < rows.size(); i++) {
            assertEquals((long) i + 1, rows.get(i).get(0), "sequence of run " + runId + ": " + rows);
        }
        long terminal = rows.stream().filter(
                r -> r.get(1).toString().matches("RUN_(SUCCEEDED|FAILED|CANCELED|" + "PARTIAL_SUCCESS|NO_SUCCESS)"))
                .count();
        assertEquals(1, terminal, "terminal events of run " + runId + ": " + rows);
        assertEquals("RUN_FAILED", rows.get(rows.size() - 1).get(1), "run " + runId + " ends with RUN_FAILED");
    }

    private static String status(String runId) throws Exception {
        List<List<Object>> rows = query("select status from api.runs where id = '" + runId + "'");
        return rows.isEmpty() ? null : (String) rows.get(0).get(0);
    }

    /**
     * A run the read model knows (a copy of the template's row) whose command, written straight to the commands topic,
     * is the template's with the change.
     */
    private static String poisoned(java.util.function.Consumer<ObjectNode> change) throws Exception {
        String runId = UUID.randomUUID().toString();
        try (Connection db = SystemUnderTest.db()) {
            db.setAutoCommit(false);
            try (var statement = db.createStatement()) {
                statement.execute("create temp table poison_run on commit drop as select * from api.runs where id = '"
                        + templateRunId + "'");
            }
            try (PreparedStatement update = db.prepareStatement(
                    "update poison_run set id = ?::uuid, status = 'QUEUED', last_seq = 0, result = null, error = null")) {
                update.setString(1, runId);
                update.executeUpdate();
            }
            try (var statement = db.createStatement()) {
                statement.execute("insert into api.runs select * from poison_run");
            }
            db.commit();
        }
        ObjectNode command = template.deepCopy();
        command.put("runId", runId);
        change.accept(command);
        send(runId, JSON.writeValueAsBytes(command));
        return runId;
    }

    private static ObjectNode step(ObjectNode command) {
        return (ObjectNode) ((ArrayNode) command.get("steps")).get(0);
    }

    private static ObjectNode nested(String keyword, int depth) {
        ObjectNode schema = JSON.createObjectNode().put("type", "object");
        for (int i = 0; i < depth; i++) {
            ObjectNode outer = JSON.createObjectNode();
            outer.putArray(keyword).add(schema);
            schema = outer;
        }
        return schema;
    }

    private static void send(String key, byte[] value) throws Exception {
        sendTo(topics.commands, key, value);
    }

    private static void sendTo(String topic, String key, byte[] value) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SystemUnderTest.KAFKA);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    /** The command record of a run, read back from the commands topic. */
    private static String commandOf(String runId) {
        for (ConsumerRecord<String, byte[]> record : readAll(topics.commands)) {
            String value = new String(record.value(), StandardCharsets.UTF_8);
            if (runId.equals(record.key()) && value.contains("\"run.requested.v1\"")) {
                return value;
            }
        }
        throw new AssertionError("no command of run " + runId + " on " + topics.commands);
    }

    private static List<ConsumerRecord<String, byte[]>> deadLetters(int atLeast) {
        List<ConsumerRecord<String, byte[]>> letters = new ArrayList<>();
        Awaitility.await("dead letters").atMost(Duration.ofSeconds(30)).until(() -> {
            letters.clear();
            letters.addAll(readAll(topics.commandsDlq));
            return letters.size() >= atLeast;
        });
        return letters;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}

package dev.runwire.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Witnesses of a fresh-start request's legs that need nothing from the services: the stub's own clock for the
 * integration call, a consumer of the run-events topic of the benchmark's own (when a run's terminal record reached the
 * broker and a reader, and its producer's CreateTime), and a {@code LISTEN} on the read model's run-ends channel (when
 * the read model's transaction that stored the run's end committed, ADR 0044). With the run's own timestamps (created,
 * the events' {@code at}) they split a request into the legs printed by {@code bench fresh}.
 */
final class FreshLegs implements AutoCloseable {

    private static final String EVENTS_TOPIC = "runwire.run-events.v1";
    private static final String RUN_ENDS_CHANNEL = "runwire_run_ends";

    /** The stub's view of a call: arrival of the request, the answer written. */
    record StubCall(Instant received, Instant answered) {
    }

    /** A run's terminal record as the benchmark's consumer saw it: producer CreateTime, arrival here. */
    record TerminalRecord(Instant created, Instant arrived) {
    }

    final Map<String, StubCall> stubCalls = new ConcurrentHashMap<>();
    private final Map<String, TerminalRecord> terminal = new ConcurrentHashMap<>();
    private final Map<String, Instant> stored = new ConcurrentHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private volatile boolean running = true;
    private final Thread kafkaReader;
    private final Thread pgListener;

    FreshLegs(String kafka, String pgUrl, String pgUser, String pgPassword) {
        Properties config = new Properties();
        config.put("bootstrap.servers", kafka);
        config.put("key.deserializer", StringDeserializer.class.getName());
        config.put("value.deserializer", ByteArrayDeserializer.class.getName());
        config.put("enable.auto.commit", "false");
        config.put("fetch.max.wait.ms", "10");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config);
        List<TopicPartition> partitions = consumer.partitionsFor(EVENTS_TOPIC).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        kafkaReader = new Thread(() -> {
            try (consumer) {
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        Instant arrived = Instant.now();
                        Header types = record.headers().lastHeader("rw-event");
                        String header = types == null ? "" : new String(types.value(), StandardCharsets.UTF_8);
                        if (header.contains("RUN_SUCCEEDED") || header.contains("RUN_FAILED")) {
                            terminal.putIfAbsent(record.key(),
                                    new TerminalRecord(Instant.ofEpochMilli(record.timestamp()), arrived));
                        }
                    }
                }
            }
        }, "fresh-events-witness");
        kafkaReader.setDaemon(true);
        kafkaReader.start();
        Thread listener = null;
        try {
            Connection pg = DriverManager.getConnection(pgUrl, pgUser, pgPassword);
            try (Statement statement = pg.createStatement()) {
                statement.execute("listen " + RUN_ENDS_CHANNEL);
            }
            PGConnection notices = pg.unwrap(PGConnection.class);
            listener = new Thread(() -> {
                try (pg) {
                    while (running) {
                        PGNotification[] got = notices.getNotifications(50);
                        Instant now = Instant.now();
                        if (got != null) {
                            for (PGNotification notice : got) {
                                for (String id : notice.getParameter().split(",")) {
                                    stored.putIfAbsent(id, now);
                                }
                            }
                        }
                    }
                } catch (Exception e) {
                    notes.add("run-ends listener stopped: " + e.getMessage());
                }
            }, "fresh-stored-witness");
            listener.setDaemon(true);
            listener.start();
        } catch (Exception e) {
            notes.add("no LISTEN on " + RUN_ENDS_CHANNEL + ": " + e.getMessage());
        }
        pgListener = listener;
    }

    List<String> notes() {
        return notes;
    }

    /** The leg names, in order; {@link #legs} gives their values in ms. */
    static final List<String> NAMES = List.of("sent>created", "created>RUN_STARTED", "RUN_STARTED>STEP_STARTED",
            "STEP_STARTED>stub in", "stub in>stub out", "stub out>STEP_SUCCEEDED", "STEP_SUCCEEDED>RUN_SUCCEEDED",
            "RUN_SUCCEEDED>record created", "record created>record read", "record read>end stored",
            "end stored>answered");

    /** Short column heads for {@link #NAMES}. */
    static final List<String> HEADS = List.of("accept", "to start", "st>step", "step>stub", "stub", "stub>done",
            "done>end", "end>rec", "kafka", "rec>stored", "st>answer");

    /**
     * The legs of one request in ms (NaN where a timestamp is missing), from its run read back with its events.
     */
    double[] legs(String runId, String stubId, Instant sent, Instant answered, JsonNode run) {
        Instant created = instant(run.path("createdAt").asText(null));
        Instant runStarted = null;
        Instant stepStarted = null;
        Instant stepEnded = null;
        Instant runEnded = null;
        for (JsonNode event : run.path("events")) {
            Instant at = instant(event.path("at").asText(null));
            switch (event.path("type").asText().toUpperCase(java.util.Locale.ROOT).replace('.', '_')) {
            case "RUN_STARTED" -> runStarted = at;
            case "STEP_STARTED" -> stepStarted = at;
            case "STEP_SUCCEEDED", "STEP_FAILED" -> stepEnded = at;
            case "RUN_SUCCEEDED", "RUN_FAILED" -> runEnded = at;
            default -> {
            }
            }
        }
        StubCall call = stubCalls.get(stubId);
        TerminalRecord record = runId == null ? null : terminal.get(runId);
        Instant storedAt = runId == null ? null : stored.get(runId);
        Instant[] points = { sent, created, runStarted, stepStarted, call == null ? null : call.received(),
                call == null ? null : call.answered(), stepEnded, runEnded, record == null ? null : record.created(),
                record == null ? null : record.arrived(), storedAt, answered };
        double[] legs = new double[points.length - 1];
        for (int i = 0; i < legs.length; i++) {
            legs[i] = points[i] == null || points[i + 1] == null ? Double.NaN
                    : Duration.between(points[i], points[i + 1]).toNanos() / 1e6;
        }
        return legs;
    }

    private static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        kafkaReader.join(2_000);
        if (pgListener != null) {
            pgListener.join(2_000);
        }
    }
}

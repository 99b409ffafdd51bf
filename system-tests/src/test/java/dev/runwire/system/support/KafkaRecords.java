package dev.runwire.system.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.restassured.path.json.JsonPath;

import dev.runwire.model.Topics;
import dev.runwire.model.event.EventRecords;
import dev.runwire.model.json.Json;

/**
 * The records of a topic read back from its start, to check the contract of the messages on it: every record of a run
 * is keyed by the run id (so a run's messages stay on one partition, in order) and names its type in the
 * {@value Topics#TYPE_HEADER} header.
 */
public final class KafkaRecords {

    /**
     * A record as read back: where it is, its key, its {@value Topics#TYPE_HEADER} header (null without one) and its
     * value, parsed as JSON (null when it is not JSON). A record holding several run events ({@link EventRecords}) is
     * read as one {@code Read} per event, each with the record's place and {@code batched} the number it holds.
     */
    public record Read(String topic, int partition, long offset, String key, String type, JsonPath value, int batched) {

        @Override
        public String toString() {
            return topic + "/" + partition + "@" + offset + " (key " + key + ", " + Topics.TYPE_HEADER + " " + type
                    + ")";
        }
    }

    private KafkaRecords() {
    }

    /** Every record on {@code topic}, from its start to the end it had when called; per partition in order. */
    public static List<Read> all(String topic) {
        return readAll(topic).stream().flatMap(record -> {
            Header header = record.headers().lastHeader(Topics.TYPE_HEADER);
            String type = header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
            JsonPath value = json(record.value());
            if (value == null || !(value.get() instanceof List<?> events)) {
                return Stream.of(
                        new Read(record.topic(), record.partition(), record.offset(), record.key(), type, value, 1));
            }
            return IntStream.range(0, events.size()).mapToObj(i -> new Read(record.topic(), record.partition(),
                    record.offset(), record.key(), type, JsonPath.from(Json.write(events.get(i))), events.size()));
        }).toList();
    }

    /** Every record on {@code topic} as the broker holds it, from its start to the end it had when called. */
    public static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SystemUnderTest.KAFKA);
        List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(read::add);
            }
        }
        return read;
    }

    /**
     * The records on {@code topic} about run {@code runId} (by the {@code runId} of their value), in order, after
     * asserting that there are some and that each is keyed by the run id.
     */
    public static List<Read> ofRun(String topic, String runId) {
        List<Read> ofRun = all(topic).stream()
                .filter(r -> r.value() != null && runId.equals(r.value().getString("runId"))).toList();
        assertFalse(ofRun.isEmpty(), "no record of run " + runId + " on " + topic);
        for (Read record : ofRun) {
            assertEquals(runId, record.key(), "the key of " + record);
        }
        return ofRun;
    }

    /**
     * Asserts that the commands of run {@code runId} on {@code topic} are keyed by the run id and that each names in
     * its {@value Topics#TYPE_HEADER} header the type its value says; returns those types, each once, in order (the
     * outbox may publish a command twice).
     */
    public static List<String> commandTypes(String topic, String runId) {
        List<Read> commands = ofRun(topic, runId);
        for (Read command : commands) {
            assertEquals(command.value().getString("type"), command.type(), "the type header of " + command);
        }
        return commands.stream().map(Read::type).distinct().toList();
    }

    /**
     * Asserts that the events of run {@code runId} on {@code topic} are keyed by the run id and carry the type header
     * {@code run.event.v1}, or {@code run.event-batch.v1} when their record holds several; returns their sequence
     * numbers, each once, in order.
     */
    public static List<Integer> eventSeqs(String topic, String runId) {
        List<Read> events = ofRun(topic, runId);
        for (Read event : events) {
            assertEquals(EventRecords.type(event.batched()), event.type(), "the type header of " + event);
        }
        return events.stream().map(e -> e.value().getInt("seq")).distinct().toList();
    }

    /** How many records carry the events of run {@code runId} on {@code topic} (a write's events share one). */
    public static long eventRecords(String topic, String runId) {
        return ofRun(topic, runId).stream().map(e -> e.partition() + "@" + e.offset()).distinct().count();
    }

    private static JsonPath json(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            JsonPath json = JsonPath.from(new String(value, StandardCharsets.UTF_8));
            json.get();
            return json;
        } catch (RuntimeException e) {
            // not JSON: no run's message
            return null;
        }
    }
}

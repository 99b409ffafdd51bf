package dev.runwire.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

import dev.runwire.model.Topics;
import dev.runwire.model.event.EventRecords;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.json.Json;

/**
 * The Kafka side of an in-process test: it plays the executor by publishing run events as the executor does (keyed by
 * the run, typed in {@code rw-type}), and reads what the api-service published from the end of a topic.
 */
public final class RunTopics implements AutoCloseable {

    private final KafkaProducer<String, String> producer;

    public RunTopics() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props);
    }

    /** Publishes the events in order, as the run's executor would, and waits for the broker's acknowledgements. */
    public void publish(RunEvent... events) {
        for (RunEvent event : events) {
            send(Topics.RUN_EVENTS, event.runId().toString(), RunEvent.TYPE, Json.write(event));
        }
    }

    /** Publishes the events as one record, as the executor sends the events of one write of a run. */
    public void publishTogether(RunEvent... events) {
        List<byte[]> written = Arrays.stream(events).map(e -> Json.write(e).getBytes(StandardCharsets.UTF_8)).toList();
        send(Topics.RUN_EVENTS, events[0].runId().toString(), EventRecords.type(events.length),
                new String(EventRecords.join(written), StandardCharsets.UTF_8));
    }

    /** Publishes any value (a record the read model cannot read, for instance). */
    public void send(String topic, String key, String type, String value) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        if (type != null) {
            record.headers().add(Topics.TYPE_HEADER, type.getBytes(StandardCharsets.UTF_8));
        }
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new AssertionError("the broker did not take the record", e);
        }
    }

    /** A reader of {@code topic} from its current end: it sees only what is published after this call. */
    public static Tail tail(String topic) {
        return new Tail(topic);
    }

    @Override
    public void close() {
        producer.close();
    }

    /** The records published on one topic after it was opened. */
    public static final class Tail implements AutoCloseable {

        private final String topic;
        private final KafkaConsumer<String, String> consumer;

        private Tail(String topic) {
            this.topic = topic;
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            consumer = new KafkaConsumer<>(props);
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fixes the start now, before the test acts
        }

        /** The first record keyed {@code key}, waiting up to 20 s for it. */
        public ConsumerRecord<String, String> recordOf(String key) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(record.key())) {
                        return record;
                    }
                }
            }
            throw new AssertionError("no record keyed " + key + " on " + topic);
        }

        /** The first record of each key, read in one pass (records of other keys are skipped). */
        public java.util.Map<String, ConsumerRecord<String, String>> recordsOf(java.util.Collection<String> keys) {
            java.util.Map<String, ConsumerRecord<String, String>> found = new java.util.HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (found.size() < keys.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (keys.contains(record.key())) {
                        found.putIfAbsent(record.key(), record);
                    }
                }
            }
            if (found.size() < keys.size()) {
                throw new AssertionError(
                        "no record on " + topic + " for " + keys.stream().filter(k -> !found.containsKey(k)).toList());
            }
            return found;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** A header's value as text, failing when the record has none. */
    public static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        if (header == null) {
            throw new AssertionError("the record has no " + name + " header");
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }
}

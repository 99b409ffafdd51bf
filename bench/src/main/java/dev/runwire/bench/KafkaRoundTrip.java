package dev.runwire.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A bare Kafka request/reply: produce to a ping topic, an echo consumer produces each record to a pong topic, and the
 * requester's consumer completes the request. linger.ms=0, acks=all — the settings of the services' hot-path producers.
 */
final class KafkaRoundTrip implements AutoCloseable {

    private static final String PING = "runwire.bench.ping";
    private static final String PONG = "runwire.bench.pong";

    private final KafkaProducer<String, String> producer;
    private final Map<String, CompletableFuture<Boolean>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread echo;
    private final Thread replies;
    private volatile boolean running = true;

    KafkaRoundTrip(String bootstrap) throws Exception {
        createTopics(bootstrap);
        producer = new KafkaProducer<>(producerConfig(bootstrap), new StringSerializer(), new StringSerializer());
        KafkaProducer<String, String> echoProducer = new KafkaProducer<>(producerConfig(bootstrap),
                new StringSerializer(), new StringSerializer());
        KafkaConsumer<String, String> pingConsumer = consumer(bootstrap, PING);
        KafkaConsumer<String, String> pongConsumer = consumer(bootstrap, PONG);
        echo = new Thread(
                () -> poll(pingConsumer,
                        record -> echoProducer.send(new ProducerRecord<>(PONG, record.key(), record.value()))),
                "bench-echo");
        replies = new Thread(() -> poll(pongConsumer, record -> {
            CompletableFuture<Boolean> waiter = pending.remove(record.key());
            if (waiter != null) {
                waiter.complete(true);
            }
        }), "bench-replies");
        echo.start();
        replies.start();
        // round trips complete only once both consumers have their partitions: wait for that
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                if (send().get(1, java.util.concurrent.TimeUnit.SECONDS)) {
                    break;
                }
            } catch (java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Kafka round trip never completed");
                }
            }
        }
    }

    CompletableFuture<Boolean> send() {
        String id = String.valueOf(ids.incrementAndGet());
        CompletableFuture<Boolean> reply = new CompletableFuture<>();
        pending.put(id, reply);
        producer.send(new ProducerRecord<>(PING, id, "ping " + id), (metadata, failure) -> {
            if (failure != null) {
                pending.remove(id);
                reply.complete(false);
            }
        });
        return reply;
    }

    private void poll(KafkaConsumer<String, String> consumer,
            java.util.function.Consumer<ConsumerRecord<String, String>> handler) {
        try (consumer) {
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    handler.accept(record);
                }
            }
        }
    }

    private static Properties producerConfig(String bootstrap) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return config;
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + topic + "-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static void createTopics(String bootstrap) throws Exception {
        Properties config = new Properties();
        config.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(config)) {
            for (String topic : List.of(PING, PONG)) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 8, (short) 1))).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        echo.join();
        replies.join();
        producer.close();
    }
}

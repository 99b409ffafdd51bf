package dev.runwire.system;

import static dev.runwire.system.SystemUnderTest.action;
import static dev.runwire.system.SystemUnderTest.as;
import static dev.runwire.system.SystemUnderTest.integration;
import static dev.runwire.system.SystemUnderTest.newOwner;
import static dev.runwire.system.SystemUnderTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A pass-through secret is used for its run's call and appears in clear nowhere else: no log line of either service, no
 * record on either topic, no row of any table (the outbox included).
 */
class SecretLeakIT {

    @Test
    void passThroughSecretsAppearInClearNowhere() throws Exception {
        String headerSecret = "sk_live_" + UUID.randomUUID();
        String querySecret = "qs_" + UUID.randomUUID();
        ServiceProcess api = SharedSystem.api();
        ServiceProcess executor = SharedSystem.executor();
        try (Stub stub = new Stub()) {
            stub.on("/secret/", 200, "{\"id\":\"s\",\"price\":1}", 0);
            String key = newOwner(api);
            integration(api, key, "stub", stub.baseUrl());
            action(api, key, "secret", "stub", "/secret", 2_000);

            String runId = as(api, key)
                    .body(Map.of("key", "secret", "userId", "u", "input", Map.of("id", "s"), "passThrough",
                            List.of(Map.of("headers", Map.of("Authorization", "Bearer " + headerSecret), "query",
                                    Map.of("token", querySecret)))))
                    .post("/v1/actions/run").then().statusCode(200).extract().path("runId");

            Stub.Received call = stub.receivedUnder("/secret/").get(0);
            assertEquals("Bearer " + headerSecret, call.header("Authorization"), "the secret was used");
            assertTrue(call.query().contains("token=" + querySecret), "the query secret was used");

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> query("select count(*) from api.run_events where run_id = '" + runId + "'").get(0)
                            .get(0).equals(4L));

            for (String secret : List.of(headerSecret, querySecret)) {
                for (Path log : List.of(api.log, executor.log)) {
                    assertFalse(Files.readString(log).contains(secret), "secret in " + log);
                }
                assertFalse(kafkaContains(secret), "secret in a Kafka record");
                assertFalse(databaseContains(secret), "secret in a table of schema api");
            }
        }
    }

    private static boolean kafkaContains(String secret) {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SystemUnderTest.KAFKA);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "secret-scan-" + UUID.randomUUID());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = Stream.of("runwire.run-commands.v1", "runwire.run-events.v1")
                    .flatMap(topic -> consumer.partitionsFor(topic).stream())
                    .map((PartitionInfo p) -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 30_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (contains(record.value(), needle) || contains(record.key(), needle)) {
                        return true;
                    }
                    for (Header header : record.headers()) {
                        if (contains(header.value(), needle)) {
                            return true;
                        }
                    }
                }
            }
            assertTrue(partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p)),
                    "read both topics to the end");
        }
        return false;
    }

    private static boolean databaseContains(String secret) throws Exception {
        for (List<Object> table : query(
                "select table_name from information_schema.tables where table_schema = 'api'")) {
            String name = table.get(0).toString();
            if (!query("select 1 from api." + name + " t where t::text like '%" + secret + "%' limit 1").isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        if (haystack == null) {
            return false;
        }
        outer: for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}

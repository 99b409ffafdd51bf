package dev.runwire.system.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;

/** Where a secret appears in clear: in which records of the topics, in which tables of schema {@code api}. */
public final class SecretScan {

    private SecretScan() {
    }

    /** Records (topic/partition@offset) of the topics whose key, value or a header holds {@code secret}. */
    public static List<String> recordsContaining(String secret, String... topics) {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SystemUnderTest.KAFKA);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "secret-scan-" + UUID.randomUUID());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic)
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            assertTrue(total > 0, "the topics hold records");
            long[] read = { 0 };
            Awaitility.await("read both topics to the end").atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1)).until(() -> {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                            read[0]++;
                            boolean inHeaders = false;
                            for (Header header : record.headers()) {
                                inHeaders |= contains(header.key().getBytes(StandardCharsets.UTF_8), needle)
                                        || contains(header.value(), needle);
                            }
                            if (inHeaders || contains(record.key(), needle) || contains(record.value(), needle)) {
                                found.add(record.topic() + "/" + record.partition() + "@" + record.offset());
                            }
                        }
                        return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                    });
            assertTrue(read[0] > 0, "records were read");
        }
        return found;
    }

    /** Tables of schema {@code api} with a row whose text holds {@code secret}. */
    public static List<String> tablesContaining(String secret) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection connection = SystemUnderTest.db()) {
            List<String> tables = new ArrayList<>();
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("select table_name from information_schema.tables "
                            + "where table_schema = 'api' and table_type = 'BASE TABLE'")) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
            assertTrue(tables.containsAll(List.of("runs", "run_events", "outbox")), "tables of schema api: " + tables);
            for (String table : tables) {
                try (PreparedStatement statement = connection.prepareStatement(
                        "select count(*) from api.\"" + table + "\" t where strpos(t::text, ?) > 0")) {
                    statement.setString(1, secret);
                    try (ResultSet rows = statement.executeQuery()) {
                        rows.next();
                        if (rows.getLong(1) > 0) {
                            found.add(table);
                        }
                    }
                }
            }
        }
        return found;
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

package dev.runwire.system.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A private pair of command and event topics with private consumer groups, and the environment that points both
 * services at them. The broker may be shared with a running {@code ./runwire up} (or another test class that kills
 * processes): with the default topics and groups, those services would take partitions of this test's runs and write
 * their events into another database.
 */
public final class IsolatedTopics implements AutoCloseable {

    public final String commands;
    public final String events;
    public final String commandsDlq;
    public final String eventsDlq;
    private final String suffix;

    public IsolatedTopics(String name) throws Exception {
        suffix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        commands = "runwire.run-commands." + suffix;
        events = "runwire.run-events." + suffix;
        commandsDlq = "runwire.run-commands.dlq." + suffix;
        eventsDlq = "runwire.run-events.dlq." + suffix;
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(commands, 8, (short) 1), new NewTopic(events, 8, (short) 1),
                    new NewTopic(commandsDlq, 1, (short) 1), new NewTopic(eventsDlq, 1, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    public Map<String, String> apiEnv(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("MP_MESSAGING_OUTGOING_RUN_COMMANDS_TOPIC", commands);
        env.put("MP_MESSAGING_INCOMING_RUN_EVENTS_STORE_TOPIC", events);
        env.put("MP_MESSAGING_INCOMING_RUN_EVENTS_STORE_GROUP_ID", "runwire-api-store-" + suffix);
        env.put("MP_MESSAGING_INCOMING_RUN_EVENTS_BROADCAST_TOPIC", events);
        env.put("MP_MESSAGING_OUTGOING_RUN_EVENTS_DLQ_TOPIC", eventsDlq);
        env.putAll(extra);
        return SystemUnderTest.serviceEnv(env);
    }

    public Map<String, String> executorEnv() {
        return SystemUnderTest.serviceEnv(Map.of("MP_MESSAGING_INCOMING_RUN_COMMANDS_TOPIC", commands,
                "MP_MESSAGING_INCOMING_RUN_COMMANDS_GROUP_ID", "runwire-executor-" + suffix,
                "MP_MESSAGING_OUTGOING_RUN_EVENTS_TOPIC", events, "MP_MESSAGING_OUTGOING_RUN_COMMANDS_DLQ_TOPIC",
                commandsDlq));
    }

    /** How many command records keyed by a run's id are on the commands topic (read back from the start). */
    public long commandsFor(String runId) {
        return KafkaRecords.all(commands).stream().filter(record -> runId.equals(record.key())).count();
    }

    /** Deletes both topics; call it once the services that use them have stopped. */
    @Override
    public void close() {
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(commands, events, commandsDlq, eventsDlq)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // a topic left behind costs disk space only; it never fails a test
            System.err.println("could not delete topics " + commands + ", " + events + ": " + e);
        }
    }

    private static Admin admin() {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SystemUnderTest.KAFKA);
        return Admin.create(config);
    }
}

package dev.runwire.system;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A private pair of command and event topics, so a test that kills processes shares its runs with no other service
 * process, and the environment that points both services at them.
 */
final class IsolatedTopics {

    final String commands;
    final String events;

    IsolatedTopics(String name) throws Exception {
        String suffix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        commands = "runwire.run-commands." + suffix;
        events = "runwire.run-events." + suffix;
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SystemUnderTest.KAFKA);
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(List.of(new NewTopic(commands, 8, (short) 1), new NewTopic(events, 8, (short) 1))).all()
                    .get();
        }
    }

    Map<String, String> apiEnv(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("MP_MESSAGING_OUTGOING_RUN_COMMANDS_TOPIC", commands);
        env.put("MP_MESSAGING_INCOMING_RUN_EVENTS_STORE_TOPIC", events);
        env.put("MP_MESSAGING_INCOMING_RUN_EVENTS_BROADCAST_TOPIC", events);
        return SystemUnderTest.serviceEnv(env);
    }

    Map<String, String> executorEnv() {
        return SystemUnderTest.serviceEnv(Map.of("MP_MESSAGING_INCOMING_RUN_COMMANDS_TOPIC", commands,
                "MP_MESSAGING_OUTGOING_RUN_EVENTS_TOPIC", events));
    }
}

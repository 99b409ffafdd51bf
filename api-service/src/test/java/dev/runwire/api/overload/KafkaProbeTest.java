package dev.runwire.api.overload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** The readiness probe reaches a secured cluster as the channels do: it takes their security settings. */
class KafkaProbeTest {

    @Test
    void theProbeConnectsWithTheChannelsSecuritySettings() {
        Map<String, Object> channels = Map.of("bootstrap.servers", "kafka-0:9093", "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", "ScramLoginModule required;",
                "ssl.truststore.location", "/etc/kafka-ca/ca.p12", "ssl.truststore.type", "PKCS12", "group.id",
                "runwire-api", "key.serializer", "StringSerializer", "client.id", "channel-client",
                "sasl.login.refresh.window.factor", "");

        Map<String, Object> probe = KafkaProbe.adminConfig(channels);

        assertEquals("kafka-0:9093", probe.get("bootstrap.servers"));
        assertEquals("SASL_SSL", probe.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", probe.get("sasl.mechanism"));
        assertEquals("ScramLoginModule required;", probe.get("sasl.jaas.config"));
        assertEquals("/etc/kafka-ca/ca.p12", probe.get("ssl.truststore.location"));
        assertEquals("PKCS12", probe.get("ssl.truststore.type"));
        assertEquals("runwire-api-probe", probe.get(AdminClientConfig.CLIENT_ID_CONFIG));
        assertEquals(2_000, probe.get(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG));
        assertFalse(probe.containsKey("group.id"), "a consumer's setting is no admin client's");
        assertFalse(probe.containsKey("key.serializer"), "a producer's setting is no admin client's");
        assertFalse(probe.containsKey("sasl.login.refresh.window.factor"), "an empty value is no setting");
    }
}

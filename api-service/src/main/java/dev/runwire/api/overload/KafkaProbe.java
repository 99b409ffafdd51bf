package dev.runwire.api.overload;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vertx.mutiny.core.Vertx;

import dev.runwire.api.error.RunwireException.Unavailable;

/**
 * Whether the broker answers. A run is accepted only when its command can reach Kafka soon: the outbox would keep it,
 * but a caller told 202 while Kafka is away would wait without end, so the request is refused with 503 and
 * {@code Retry-After} instead, before anything is written. The probe asks the cluster for its nodes every second,
 * without blocking (the admin client's own thread completes it); it recovers by itself when the broker is back. It
 * connects as the channels do: with every {@code kafka.*} setting they share (security protocol, SASL, TLS), so on a
 * secured cluster it does not call the broker away while the channels reach it.
 */
@ApplicationScoped
public class KafkaProbe {

    private static final Logger LOG = Logger.getLogger(KafkaProbe.class);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final int TIMEOUT_MS = 2_000;

    private final Map<String, Object> kafka;
    private final Vertx vertx;
    private final MeterRegistry registry;
    private Admin admin;
    private long timer = -1;
    private volatile boolean up = true;
    private volatile boolean probing;

    KafkaProbe(@Identifier("default-kafka-broker") Map<String, Object> kafka, Vertx vertx, MeterRegistry registry) {
        this.kafka = kafka;
        this.vertx = vertx;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        admin = Admin.create(adminConfig(kafka));
        registry.gauge("runwire.kafka.up", this, probe -> probe.up ? 1 : 0);
        timer = vertx.setPeriodic(INTERVAL.toMillis(), id -> probe());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }

    private void probe() {
        if (probing) {
            return;
        }
        probing = true;
        admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes()
                .whenComplete((nodes, failure) -> {
                    boolean now = failure == null && !nodes.isEmpty();
                    if (now != up) {
                        LOG.infof("Kafka is %s", now ? "reachable again" : "unreachable: run requests get 503");
                    }
                    up = now;
                    probing = false;
                });
    }

    /**
     * The probe's client settings: the channels' shared {@code kafka.*} settings ({@code kafka.security.protocol},
     * {@code kafka.sasl.*}, {@code kafka.ssl.*}… or their {@code KAFKA_*} variables) that an admin client knows, and
     * its own timeouts and client id. Settings only consumers or producers know (a group id, serializers) are left out,
     * and so are settings without a value.
     */
    static Map<String, Object> adminConfig(Map<String, Object> kafka) {
        Map<String, Object> config = new HashMap<>();
        kafka.forEach((name, value) -> {
            // the TLS registry's configuration name goes with the SSL engine factory Quarkus sets for it
            boolean known = AdminClientConfig.configNames().contains(name) || name.equals("tls-configuration-name");
            // a setting given an empty value is no setting (Quarkus hands those on as "")
            if (known && !"".equals(value)) {
                config.put(name, value);
            }
        });
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "runwire-api-probe");
        return config;
    }

    /** Whether the broker answered the last probe. */
    public boolean up() {
        return up;
    }

    /** Zapier's Actions API's 503 (its code spelled as that API spells it, for clients that match on it). */
    public static Unavailable unavailable() {
        return new Unavailable();
    }
}

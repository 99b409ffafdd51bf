package dev.runwire.api.projection;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;

import dev.runwire.api.feed.StoredEnds;
import dev.runwire.api.run.RunEventStore;

/**
 * Listens to the read model's announcements of stored run ends ({@link RunEventStore#RUN_ENDS_CHANNEL}), whichever
 * replica stored them, and tells this replica's waiting callers (ADR 0044). One connection per replica, reconnected
 * after a loss; while it is away, callers look at the store instead.
 */
@ApplicationScoped
class StoredEndNotices {

    private static final Logger LOG = Logger.getLogger(StoredEndNotices.class);
    private static final long RECONNECT_MILLIS = 1_000;

    private final StoredEnds ends;
    private final Vertx vertx;
    private final String url;
    private final Optional<String> user;
    private final Optional<String> password;
    private PgSubscriber subscriber;

    StoredEndNotices(StoredEnds ends, Vertx vertx, @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.ends = ends;
        this.vertx = vertx;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    void start(@Observes StartupEvent event) {
        PgConnectOptions options = PgConnectOptions
                .fromUri(url.startsWith("vertx-reactive:") ? url.substring(15) : url);
        user.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> RECONNECT_MILLIS);
        subscriber.channel(RunEventStore.RUN_ENDS_CHANNEL).subscribeHandler(subscribed -> ends.listening(true))
                .handler(payload -> ends.stored(runIds(payload)));
        subscriber.closeHandler(closed -> ends.listening(false));
        connect();
    }

    private void connect() {
        subscriber.connect().onFailure(failure -> {
            // PostgreSQL away at start: callers look at the store until it is back
            LOG.debugf("the run-ends channel could not be listened to yet: %s", failure.getMessage());
            ends.listening(false);
            vertx.setTimer(RECONNECT_MILLIS, id -> {
                if (subscriber != null && subscriber.closed()) {
                    connect();
                }
            });
        });
    }

    void stop(@Observes ShutdownEvent event) {
        PgSubscriber closing = subscriber;
        subscriber = null;
        if (closing != null) {
            closing.close();
        }
    }

    private static List<UUID> runIds(String payload) {
        List<UUID> ids = new ArrayList<>();
        if (payload == null) {
            return ids;
        }
        for (String id : payload.split(",")) {
            try {
                ids.add(UUID.fromString(id));
            } catch (IllegalArgumentException e) {
                // not ours: ignored
            }
        }
        return ids;
    }
}

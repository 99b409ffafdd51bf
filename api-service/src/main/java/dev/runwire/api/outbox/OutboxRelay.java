package dev.runwire.api.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.model.command.RunCommand;
import dev.runwire.model.json.Json;

/**
 * Publishes commands that a crash left in the outbox. The request path publishes right after its commit and deletes the
 * row, so this relay adds no delay in the normal case; it only takes rows older than
 * {@code runwire.outbox.relay-after}.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final OutboxStore store;
    private final CommandPublisher publisher;
    private final ApiConfig config;
    private final Vertx vertx;
    private volatile boolean running;

    OutboxRelay(OutboxStore store, CommandPublisher publisher, ApiConfig config, Vertx vertx) {
        this.store = store;
        this.publisher = publisher;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(config.outbox().relayInterval().toMillis(), id -> relayOnce());
    }

    private void relayOnce() {
        if (running) {
            return;
        }
        running = true;
        store.relayStale(config.outbox().relayAfter().toMillis(), (type, payload) -> {
            try {
                return publisher.publish(Json.mapper().readValue(payload, RunCommand.class), type);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("unreadable outbox payload", e);
            }
        }).subscribe().with(ok -> running = false, failure -> {
            running = false;
            LOG.warn("outbox relay pass failed; it will be retried", failure);
        });
    }
}

package dev.runwire.api.connection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.outbox.CommandPublisher;
import dev.runwire.api.run.RunStore;
import dev.runwire.model.command.AuthRequiredExpired;

/**
 * Ends runs left in AUTH_REQUIRED past the configured time: each replica looks now and then, claims such runs (each
 * once) and sends their executor an {@link AuthRequiredExpired} command through the outbox; the executor fails the
 * waiting steps and the run ends FAILED with the reason, unless it went on meanwhile.
 */
@ApplicationScoped
public class AuthRequiredTimeouts {

    private static final Logger LOG = Logger.getLogger(AuthRequiredTimeouts.class);
    private static final int BATCH = 100;

    private final RunStore store;
    private final CommandPublisher publisher;
    private final ApiConfig config;
    private final Vertx vertx;
    private volatile boolean running;

    AuthRequiredTimeouts(RunStore store, CommandPublisher publisher, ApiConfig config, Vertx vertx) {
        this.store = store;
        this.publisher = publisher;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(config.connections().authRequiredSweep().toMillis(), id -> sweep());
    }

    private void sweep() {
        if (running) {
            return;
        }
        running = true;
        store.expireAuthRequired(config.connections().authRequiredTimeout(), BATCH).subscribe().with(expired -> {
            running = false;
            expired.forEach(e -> publisher.publishCommitted(e.getKey(), AuthRequiredExpired.TYPE, e.getValue()));
            if (!expired.isEmpty()) {
                LOG.infof("%d run(s) waited too long for a connection and end FAILED", expired.size());
            }
        }, failure -> {
            running = false;
            LOG.warnf("looking for runs that waited too long failed (%s); it will be retried",
                    failure.getClass().getSimpleName());
        });
    }
}

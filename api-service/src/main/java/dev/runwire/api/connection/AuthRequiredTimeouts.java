package dev.runwire.api.connection;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.outbox.CommandPublisher;
import dev.runwire.api.run.ConnectionWaitStore;
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

    private final ConnectionWaitStore store;
    private final CommandPublisher publisher;
    private final ApiConfig config;

    AuthRequiredTimeouts(ConnectionWaitStore store, CommandPublisher publisher, ApiConfig config) {
        this.store = store;
        this.publisher = publisher;
        this.config = config;
    }

    /** A sweep that outlasts the interval is not started again over itself; a failed one is tried at the next tick. */
    @Scheduled(identity = "auth-required-timeouts", every = "${runwire.connections.auth-required-sweep:30s}", delayed = "${runwire.connections.auth-required-sweep:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return store.expireAuthRequired(config.connections().authRequiredTimeout(), BATCH).invoke(expired -> {
            expired.forEach(e -> publisher.publishCommitted(e.getKey(), e.getValue()));
            if (!expired.isEmpty()) {
                LOG.infof("%d run(s) waited too long for a connection and end FAILED", expired.size());
            }
        }).replaceWithVoid().onFailure().recoverWithUni(failure -> {
            LOG.warnf("looking for runs that waited too long failed (%s); it will be retried",
                    failure.getClass().getSimpleName());
            return Uni.createFrom().voidItem();
        });
    }
}

package dev.runwire.api.outbox;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

import dev.runwire.api.config.ApiConfig;

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

    /** Set once the service stops: a pass that meets the closing pool then is expected, not worth a warning. */
    private volatile boolean stopping;

    OutboxRelay(OutboxStore store, CommandPublisher publisher, ApiConfig config) {
        this.store = store;
        this.publisher = publisher;
        this.config = config;
    }

    void stopping(@Observes @Priority(1) ShutdownEvent event) {
        stopping = true;
    }

    /** A pass that outlasts the interval is not started again over itself; a failed one is tried at the next tick. */
    @Scheduled(identity = "outbox-relay", every = "${runwire.outbox.relay-interval:2s}", delayed = "${runwire.outbox.relay-interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relayOnce() {
        return store.relayStale(config.outbox().relayAfter().toMillis(), publisher::publish).replaceWithVoid()
                .onFailure().recoverWithUni(failure -> {
                    if (stopping) {
                        LOG.debugf("outbox relay pass ended by the shutdown: %s", failure.getMessage());
                    } else {
                        LOG.warn("outbox relay pass failed; it will be retried", failure);
                    }
                    return Uni.createFrom().voidItem();
                });
    }
}

package dev.runwire.api.connection;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import dev.runwire.api.outbox.CommandPublisher;
import dev.runwire.api.outbox.OutboxCommand;
import dev.runwire.api.outbox.OutboxStore;
import dev.runwire.api.run.ConnectionWaitStore;
import dev.runwire.api.run.PassThroughSealer;
import dev.runwire.model.command.ConnectionProvided;
import dev.runwire.model.json.Json;

/**
 * Tells the runs that wait for a user's connection that it exists: each gets the credentials as pass-through entries
 * sealed for that run, through the outbox like every command, and its waiting steps go on (ADR 0020).
 */
@ApplicationScoped
public class RunConnections {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RunConnections.class);

    private final ConnectionWaitStore store;
    private final CommandPublisher publisher;
    private final OutboxStore outbox;
    private final PassThroughSealer sealer;

    RunConnections(ConnectionWaitStore store, CommandPublisher publisher, OutboxStore outbox,
            PassThroughSealer sealer) {
        this.store = store;
        this.publisher = publisher;
        this.outbox = outbox;
        this.sealer = sealer;
    }

    /**
     * Tells the user's unfinished runs that wait for the integration.
     *
     * @param entry
     *            the pass-through entry that carries the account's credentials
     *
     * @return how many runs were told
     */
    public Uni<Integer> connected(UUID ownerId, String userId, String integrationKey, JsonNode entry) {
        if (userId == null) {
            return Uni.createFrom().item(0);
        }
        return store.awaitingConnection(ownerId, userId, integrationKey)
                .chain(runIds -> Multi.createFrom().iterable(runIds).onItem()
                        .transformToUniAndConcatenate(runId -> provide(ownerId, runId, integrationKey, entry)).collect()
                        .asList().map(List::size))
                .invoke(count -> {
                    if (count > 0) {
                        LOG.infof("%d run(s) waiting for %s go on", count, integrationKey);
                    }
                });
    }

    /** Hands one run the credentials for the integration, sealed for that run, through the outbox. */
    public Uni<Long> provide(UUID ownerId, UUID runId, String integrationKey, JsonNode entry) {
        ConnectionProvided command = new ConnectionProvided(runId, ownerId, integrationKey,
                sealer.seal(Json.mapper().createArrayNode().add(entry), runId), Instant.now());
        OutboxCommand serialized = OutboxCommand.of(command, ConnectionProvided.TYPE);
        return outbox.insertCommand(serialized).invoke(outboxId -> publisher.publishCommitted(serialized, outboxId));
    }

    /**
     * Marks the run as waiting for the integration (so a new connection reaches it).
     *
     * @return the run's owner and user, or null for a run this store does not know
     */
    public Uni<ConnectionWaitStore.Waiting> awaiting(UUID runId, String integrationKey) {
        return store.awaitConnection(runId, integrationKey);
    }
}

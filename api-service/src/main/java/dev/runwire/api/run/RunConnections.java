package dev.runwire.api.run;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import dev.runwire.api.integration.AuthScheme;
import dev.runwire.model.command.ConnectionProvided;
import dev.runwire.model.json.Json;

/**
 * Tells the runs that wait for a user's connection that it exists: each gets the credentials as pass-through entries
 * sealed for that run, through the outbox like every command, and its waiting steps go on (ADR 0020).
 */
@ApplicationScoped
public class RunConnections {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RunConnections.class);

    private final RunStore store;
    private final CommandPublisher publisher;
    private final PassThroughSealer sealer;

    RunConnections(RunStore store, CommandPublisher publisher, PassThroughSealer sealer) {
        this.store = store;
        this.publisher = publisher;
        this.sealer = sealer;
    }

    /** @return how many runs were told */
    public Uni<Integer> connected(UUID ownerId, String userId, String integrationKey, AuthScheme scheme,
            JsonNode credentials) {
        if (userId == null) {
            return Uni.createFrom().item(0);
        }
        JsonNode entries = Json.mapper().valueToTree(List.of(scheme.passThrough(integrationKey, credentials)));
        return store.awaitingConnection(ownerId, userId, integrationKey)
                .chain(runIds -> Multi.createFrom().iterable(runIds).onItem().transformToUniAndConcatenate(runId -> {
                    ConnectionProvided command = new ConnectionProvided(runId, ownerId, integrationKey,
                            sealer.seal(entries, runId), Instant.now());
                    return store.insertCommand(runId, command, ConnectionProvided.TYPE)
                            .invoke(outboxId -> publisher.publishCommitted(command, ConnectionProvided.TYPE, outboxId));
                }).collect().asList().map(List::size)).invoke(count -> {
                    if (count > 0) {
                        LOG.infof("%d run(s) waiting for %s go on", count, integrationKey);
                    }
                });
    }
}

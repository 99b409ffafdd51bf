package dev.runwire.api.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.outbox.OutboxCommand;
import dev.runwire.api.outbox.OutboxStore;
import dev.runwire.model.command.AuthRequiredExpired;

/**
 * Runs waiting for a connection, in SQL: which integrations a run waits for, the runs a new connection wakes, and the
 * expiry of runs left in AUTH_REQUIRED.
 */
@ApplicationScoped
public class ConnectionWaitStore {

    private final Pool pool;

    ConnectionWaitStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Claims up to {@code limit} runs that have waited in AUTH_REQUIRED longer than {@code timeout} and records an
     * {@link AuthRequiredExpired} command for each in the outbox, in one transaction (a run is claimed once, by one
     * replica, until it leaves AUTH_REQUIRED).
     *
     * @return the commands with their outbox ids
     */
    public Uni<List<Map.Entry<OutboxCommand, Long>>> expireAuthRequired(java.time.Duration timeout, int limit) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                update api.runs set auth_expiry_sent = true
                where id in (select id from api.runs
                             -- spelled out, not bound: the partial index runs_auth_required matches only this literal
                             where status = 'AUTH_REQUIRED' and not auth_expiry_sent
                               and updated_at < now() - make_interval(secs => $1)
                             order by updated_at limit $2 for update skip locked)
                returning id, owner_id, updated_at""").execute(Tuple.of((double) timeout.toMillis() / 1000, limit))
                .chain(rows -> {
                    List<OutboxCommand> commands = new ArrayList<>();
                    rows.forEach(row -> commands.add(OutboxCommand.of(new AuthRequiredExpired(row.getUUID(0),
                            row.getUUID(1), row.getOffsetDateTime(2).toInstant()), AuthRequiredExpired.TYPE)));
                    return OutboxStore.insertAll(conn, commands);
                }));
    }

    /** A run's owner and user. */
    public record Waiting(UUID ownerId, String userId) {
    }

    /** Adds the integration to those the run waits for; null when the run is unknown. */
    public Uni<Waiting> awaitConnection(UUID runId, String integrationKey) {
        return pool.preparedQuery("""
                update api.runs set awaiting_connections = case when awaiting_connections @> array[$2]::text[]
                       then awaiting_connections else array_append(awaiting_connections, $2) end
                where id = $1 returning owner_id, user_id""").execute(Tuple.of(runId, integrationKey))
                .map(rows -> rows.size() == 0 ? null
                        : new Waiting(rows.iterator().next().getUUID(0), rows.iterator().next().getString(1)));
    }

    /** The runs of a user not ended yet that wait for a connection to the integration. */
    public Uni<List<UUID>> awaitingConnection(UUID ownerId, String userId, String integrationKey) {
        return pool.preparedQuery("""
                select id from api.runs
                where owner_id = $1 and user_id = $2 and awaiting_connections @> array[$3]::text[]
                  and status = any($4)""").execute(Tuple.of(ownerId, userId, integrationKey, RunStatuses.ACTIVE))
                .map(rows -> {
                    List<UUID> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getUUID(0)));
                    return ids;
                });
    }
}

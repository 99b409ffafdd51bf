package dev.runwire.api.connection;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Which connected account an entity (or an id given by a caller) stands for, for one integration. */
@ApplicationScoped
public class EntityAccounts {

    private final Pool pool;

    EntityAccounts(Pool pool) {
        this.pool = pool;
    }

    /** The active account of the entity for the integration, or null (one at most: a unique index says so). */
    public Uni<UUID> ofEntity(UUID ownerId, String integrationKey, String entityId) {
        return pool.preparedQuery("""
                select id from api.connected_accounts
                where owner_id = $1 and integration_key = $2 and entity_id = $3 and status = 'active'""")
                .execute(Tuple.of(ownerId, integrationKey, entityId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID(0));
    }

    /** The integration of the owner's active account with this id, or null. */
    public Uni<String> integrationOf(UUID ownerId, UUID accountId) {
        return pool.preparedQuery("""
                select integration_key from api.connected_accounts
                where id = $1 and owner_id = $2 and status = 'active'""").execute(Tuple.of(accountId, ownerId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    }
}

package dev.runwire.api.connection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException.Conflict;

/** Which connected account an entity (or an id given by a caller) stands for, for one integration. */
@ApplicationScoped
public class EntityAccounts {

    private final Pool pool;

    EntityAccounts(Pool pool) {
        this.pool = pool;
    }

    /**
     * The active account an entity stands for on the integration, or null. Composio's entity is also a user, so an
     * account of the entity and one of a user of that id are both candidates; more than one is a 409 that lists them,
     * never a guess.
     */
    public Uni<UUID> ofEntity(UUID ownerId, String integrationKey, String entityId) {
        return pool.preparedQuery("""
                select id from api.connected_accounts
                where owner_id = $1 and integration_key = $2 and (entity_id = $3 or user_id = $3) and status = 'active'
                order by created_at""").execute(Tuple.of(ownerId, integrationKey, entityId)).map(rows -> {
            List<UUID> candidates = new ArrayList<>();
            rows.forEach(row -> candidates.add(row.getUUID(0)));
            if (candidates.size() > 1) {
                throw new Conflict(new Problem("ambiguous_connection",
                        "the entity " + entityId + " has " + candidates.size() + " active accounts for "
                                + integrationKey + ": name one with connectedAccountId",
                        ErrorObject.Source.pointer("/entityId"), Map.of("candidates", candidates)));
            }
            return candidates.isEmpty() ? null : candidates.get(0);
        });
    }

    /** The integration of the owner's active account with this id, or null. */
    public Uni<String> integrationOf(UUID ownerId, UUID accountId) {
        return pool.preparedQuery("""
                select integration_key from api.connected_accounts
                where id = $1 and owner_id = $2 and status = 'active'""").execute(Tuple.of(accountId, ownerId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    }
}

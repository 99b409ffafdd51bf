package dev.runwire.api.connection;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.error.ApiException;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.integration.AuthScheme;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.crypto.SecretSealer;
import dev.runwire.model.json.Json;

/**
 * Connected accounts: stored sealed (AES-GCM, bound to the account's id), read back only to put their credentials into
 * a run's sealed pass-through data, never shown. See docs/adr/0020-connected-accounts.md.
 */
@ApplicationScoped
public class ConnectedAccounts {

    private static final String COLUMNS = "id, integration_key, user_id, entity_id, status, created_at, updated_at";

    private static final int MAX_REMEMBERED = 100_000;

    private final Pool pool;
    private final SecretSealer sealer;
    private final Map<String, AuthScheme> remembered = new java.util.concurrent.ConcurrentHashMap<>();

    ConnectedAccounts(Pool pool, SecretSealer sealer) {
        this.pool = pool;
        this.sealer = sealer;
    }

    /** The owner's integration's auth scheme, or null when there is no such integration. */
    public Uni<AuthScheme> scheme(UUID ownerId, String integrationKey) {
        return schemes(ownerId, List.of(integrationKey)).map(all -> all.get(integrationKey));
    }

    /**
     * The auth schemes of the owner's integrations among {@code keys} (absent ones left out). An integration's scheme
     * never changes once written, so schemes are remembered: a run on integrations seen before costs no query here.
     */
    private Uni<Map<String, AuthScheme>> schemes(UUID ownerId, Collection<String> keys) {
        Map<String, AuthScheme> schemes = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String key : keys) {
            AuthScheme known = remembered.get(ownerId + "/" + key);
            if (known != null) {
                schemes.put(key, known);
            } else {
                unknown.add(key);
            }
        }
        if (unknown.isEmpty()) {
            return Uni.createFrom().item(schemes);
        }
        return pool.preparedQuery("select key, auth from api.integrations where owner_id = $1 and key = any($2)")
                .execute(Tuple.of(ownerId, unknown.toArray(String[]::new))).map(rows -> {
                    if (remembered.size() > MAX_REMEMBERED) {
                        remembered.clear();
                    }
                    rows.forEach(row -> {
                        AuthScheme scheme = Json.read(row.getString(1), AuthScheme.class);
                        schemes.put(row.getString(0), scheme);
                        remembered.put(ownerId + "/" + row.getString(0), scheme);
                    });
                    return schemes;
                });
    }

    /**
     * Stores an account as the active one of its user (or entity) for the integration; an earlier active one is revoked
     * in the same transaction.
     */
    Uni<Row> connect(UUID ownerId, String integrationKey, String userId, String entityId, JsonNode credentials) {
        UUID id = UUID.randomUUID();
        SealedSecret sealed = sealer.seal(credentials.toString(), context(id));
        return pool.withTransaction(conn -> conn.preparedQuery("""
                update api.connected_accounts set status = 'revoked', sealed = null, updated_at = now()
                where owner_id = $1 and integration_key = $2 and status = 'active'
                  and (user_id = $3 or entity_id = $4)""").execute(Tuple.of(ownerId, integrationKey, userId, entityId))
                .chain(() -> conn.preparedQuery("""
                        insert into api.connected_accounts (id, owner_id, integration_key, user_id, entity_id, status,
                                                            key_id, sealed, created_at, updated_at)
                        values ($1, $2, $3, $4, $5, 'active', $6, $7, now(), now())
                        returning\s""" + COLUMNS).execute(Tuple.from(new Object[] { id, ownerId, integrationKey, userId,
                        entityId, sealed.keyId(), Json.write(sealed) })))
                .map(rows -> rows.iterator().next()));
    }

    Uni<List<Row>> list(UUID ownerId, String userId, String integrationKey, int page, int pageSize) {
        return pool
                .preparedQuery("select " + COLUMNS
                        + """
                                 from api.connected_accounts
                                where owner_id = $1 and ($2::text is null or user_id = $2) and ($3::text is null or integration_key = $3)
                                order by created_at desc, id desc limit $4 offset $5""")
                .execute(Tuple.of(ownerId, userId, integrationKey, pageSize, (page - 1) * pageSize)).map(rows -> {
                    List<Row> list = new ArrayList<>();
                    rows.forEach(list::add);
                    return list;
                });
    }

    /** A page of accounts of an entity (or user) and integration, both optional, newest first. */
    public Uni<List<Row>> listed(UUID ownerId, String entityOrUser, String integrationKey, int page, int pageSize) {
        return pool.preparedQuery("select " + COLUMNS + """
                 from api.connected_accounts
                where owner_id = $1 and ($2::text is null or entity_id = $2 or user_id = $2)
                  and ($3::text is null or integration_key = $3)
                order by created_at desc, id desc limit $4 offset $5""")
                .execute(Tuple.of(ownerId, entityOrUser, integrationKey, pageSize, (page - 1) * pageSize)).map(rows -> {
                    List<Row> list = new ArrayList<>();
                    rows.forEach(list::add);
                    return list;
                });
    }

    Uni<Row> find(UUID ownerId, UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from api.connected_accounts where id = $1 and owner_id = $2")
                .execute(Tuple.of(id, ownerId)).map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** Revokes an account and forgets its credentials; null when there is no such account. */
    Uni<Row> revoke(UUID ownerId, UUID id) {
        return pool.preparedQuery("""
                update api.connected_accounts set status = 'revoked', sealed = null, updated_at = now()
                where id = $1 and owner_id = $2 returning\s""" + COLUMNS).execute(Tuple.of(id, ownerId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /**
     * A run's pass-through data, and the integrations still lacking an account.
     *
     * @param passThrough
     *            the connected accounts' credentials first, then the request's own entries
     * @param missing
     *            integrations whose scheme needs an account the user does not have (sorted)
     */
    public record Resolved(JsonNode passThrough, List<String> missing) {

        /** The 409 that names each missing integration and says where to connect it. */
        public ApiException connectionRequired(String userId) {
            return new ApiException(409, missing.stream().map(key -> new ErrorObject(409, "connection_required",
                    "Conflict",
                    (userId == null ? "no connected account" : "the user " + userId + " has no connected account")
                            + " for " + key,
                    ErrorObject.Source.pointer("/userId"),
                    Map.of("integrationKey", key, "connect", connectUrl(key, userId)))).toList(), Map.of());
        }
    }

    /** Where a user connects an account to an integration. */
    public static String connectUrl(String integrationKey, String userId) {
        return "/v1/connected-accounts?integrationKey="
                + java.net.URLEncoder.encode(integrationKey, java.nio.charset.StandardCharsets.UTF_8)
                + (userId == null ? ""
                        : "&userId=" + java.net.URLEncoder.encode(userId, java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * A run's pass-through data with the credentials of the user's connected accounts first, for every integration
     * whose scheme needs one and that the request's own pass-through data does not cover; and the integrations for
     * which the user has no account.
     *
     * @param accountId
     *            an account chosen by id (a Zapier stored action's {@code connection_id}), or null
     */
    public Uni<Resolved> passThrough(UUID ownerId, String userId, UUID accountId, Collection<String> integrationKeys,
            JsonNode requested) {
        return schemes(ownerId, integrationKeys).chain(schemes -> {
            List<String> needed = schemes.entrySet().stream()
                    .filter(e -> e.getValue().needsAccount() && !covered(requested, e.getKey())).map(Map.Entry::getKey)
                    .sorted().toList();
            if (needed.isEmpty()) {
                return Uni.createFrom().item(new Resolved(requested, List.of()));
            }
            return pool.preparedQuery("""
                    select integration_key, id, sealed from api.connected_accounts
                    where owner_id = $1 and status = 'active' and integration_key = any($3)
                      and (user_id = $2 or id = $4)""")
                    .execute(Tuple.of(ownerId, userId, needed.toArray(String[]::new), accountId)).map(rows -> {
                        Map<String, JsonNode> credentials = new LinkedHashMap<>();
                        rows.forEach(row -> credentials.put(row.getString(0), Json.tree(sealer
                                .open(Json.read(row.getString(2), SealedSecret.class), context(row.getUUID(1))))));
                        List<String> missing = needed.stream().filter(key -> !credentials.containsKey(key)).toList();
                        ArrayNode combined = Json.mapper().createArrayNode();
                        credentials.forEach((key, given) -> combined
                                .add(Json.mapper().valueToTree(schemes.get(key).passThrough(key, given))));
                        if (requested != null && requested.isArray()) {
                            requested.forEach(combined::add);
                        }
                        return new Resolved(combined.isEmpty() ? requested : combined, missing);
                    });
        });
    }

    /** Whether the request's pass-through data already applies to the integration (by id, or to all). */
    private static boolean covered(JsonNode requested, String integrationKey) {
        if (requested == null || !requested.isArray()) {
            return false;
        }
        for (JsonNode entry : requested) {
            JsonNode id = entry.get("customerIntegrationId");
            if (id == null || id.isNull() || integrationKey.equals(id.asText())) {
                return true;
            }
        }
        return false;
    }

    private static String context(UUID accountId) {
        return "connected-account:" + accountId;
    }
}

package dev.runwire.api.connection;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
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

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.integration.AuthScheme;
import dev.runwire.api.run.accept.RunCredentials;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.crypto.SecretSealer;
import dev.runwire.model.json.Json;

/**
 * The credentials a run carries: the user's connected accounts' (opened, refreshed first when their token is about to
 * end) ahead of the request's own pass-through data, and the integrations the user has no account for. The runs
 * feature's {@link RunCredentials} port.
 */
@ApplicationScoped
public class RunCredentialResolver implements RunCredentials {

    private final Pool pool;
    private final SecretSealer sealer;
    private final ApiConfig config;
    private final AuthSchemes schemes;
    private final TokenRefresher refresher;

    RunCredentialResolver(Pool pool, SecretSealer sealer, ApiConfig config, AuthSchemes schemes,
            TokenRefresher refresher) {
        this.pool = pool;
        this.sealer = sealer;
        this.config = config;
        this.schemes = schemes;
        this.refresher = refresher;
    }

    @Override
    public Uni<Resolved> passThrough(UUID ownerId, String userId, UUID accountId, Collection<String> integrationKeys,
            JsonNode requested) {
        return this.schemes.schemes(ownerId, integrationKeys).chain(schemes -> {
            List<String> needed = schemes.entrySet().stream()
                    .filter(e -> e.getValue().needsAccount() && !covered(requested, e.getKey())).map(Map.Entry::getKey)
                    .sorted().toList();
            if (needed.isEmpty()) {
                return Uni.createFrom().item(new Resolved(requested, List.of()));
            }
            return pool.preparedQuery("""
                    select integration_key, id, sealed, credentials_version, expires_at from api.connected_accounts
                    where owner_id = $1 and status = 'active' and integration_key = any($3)
                      and (user_id = $2 or id = $4)""")
                    .execute(Tuple.of(ownerId, userId, needed.toArray(String[]::new), accountId)).chain(rows -> {
                        List<Uni<ConnectedAccounts.Opened>> opening = new ArrayList<>();
                        rows.forEach(row -> opening.add(open(ownerId, schemes.get(row.getString(0)), row)));
                        Uni<List<ConnectedAccounts.Opened>> all = opening.isEmpty() ? Uni.createFrom().item(List.of())
                                : Uni.join().all(opening).andFailFast();
                        return all.map(opened -> {
                            Map<String, JsonNode> entries = new LinkedHashMap<>();
                            opened.stream().filter(java.util.Objects::nonNull)
                                    .forEach(account -> entries.put(account.integrationKey(),
                                            ConnectedAccounts.entry(schemes.get(account.integrationKey()), account)));
                            List<String> missing = needed.stream().filter(key -> !entries.containsKey(key)).toList();
                            ArrayNode combined = Json.mapper().createArrayNode();
                            entries.values().forEach(combined::add);
                            if (requested != null && requested.isArray()) {
                                requested.forEach(combined::add);
                            }
                            return new Resolved(combined.isEmpty() ? requested : combined, missing);
                        });
                    });
        });
    }

    /** An account's credentials ready to use; an OAuth 2 token about to end is refreshed first (null: expired). */
    private Uni<ConnectedAccounts.Opened> open(UUID ownerId, AuthScheme scheme, Row row) {
        UUID id = row.getUUID(1);
        JsonNode credentials = Json
                .tree(sealer.open(Json.read(row.getString(2), SealedSecret.class), ConnectedAccounts.context(id)));
        Instant expiresAt = row.getOffsetDateTime(4) == null ? null : row.getOffsetDateTime(4).toInstant();
        if (scheme.oauth2()
                && TokenRefresher.needsRefresh(credentials, expiresAt, config.connections().refreshSkew())) {
            return refresher.usable(ownerId, id, scheme, null, false);
        }
        return Uni.createFrom()
                .item(new ConnectedAccounts.Opened(row.getString(0), id, row.getLong(3), credentials, expiresAt));
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
}

package dev.runwire.api.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.integration.AuthScheme;
import dev.runwire.model.json.Json;

/**
 * The auth schemes of an owner's integrations, as connected accounts need them. An integration's scheme never changes
 * once written, so schemes are remembered for a minute: a run on integrations seen lately costs no query here.
 */
@ApplicationScoped
public class AuthSchemes {

    private static final int MAX_REMEMBERED = 100_000;
    /** How long a remembered scheme is trusted: an integration deleted and made again under its key may differ. */
    private static final long REMEMBER_MILLIS = 60_000;

    private final Pool pool;
    private final Cache<String, AuthScheme> remembered = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED)
            .expireAfterWrite(Duration.ofMillis(REMEMBER_MILLIS)).build();

    AuthSchemes(Pool pool) {
        this.pool = pool;
    }

    /** The owner's integration's auth scheme, or null when there is no such integration. */
    public Uni<AuthScheme> scheme(UUID ownerId, String integrationKey) {
        return schemes(ownerId, List.of(integrationKey)).map(all -> all.get(integrationKey));
    }

    /**
     * The auth schemes of the owner's integrations among {@code keys} (absent ones left out). An integration's scheme
     * never changes once written, so schemes are remembered for a minute: a run on integrations seen lately costs no
     * query here.
     */
    Uni<Map<String, AuthScheme>> schemes(UUID ownerId, Collection<String> keys) {
        Map<String, AuthScheme> schemes = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String key : keys) {
            AuthScheme known = remembered.getIfPresent(ownerId + "/" + key);
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
                    rows.forEach(row -> {
                        AuthScheme scheme = Json.read(row.getString(1), AuthScheme.class);
                        schemes.put(row.getString(0), scheme);
                        remembered.put(ownerId + "/" + row.getString(0), scheme);
                    });
                    return schemes;
                });
    }
}

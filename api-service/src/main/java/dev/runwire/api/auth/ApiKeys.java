package dev.runwire.api.auth;

import java.time.Duration;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Which owner an API key belongs to. Known keys are remembered briefly so a hot path costs no query; a revoked key
 * stops working within that time.
 */
@ApplicationScoped
public class ApiKeys {

    private static final Duration REMEMBER = Duration.ofSeconds(30);
    private static final int MAX_REMEMBERED = 100_000;

    private final Pool pool;
    /** Valid keys' owners by key hash, for {@link #REMEMBER}: a revoked key works that much longer on a replica. */
    private final Cache<String, UUID> known = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED)
            .expireAfterWrite(REMEMBER).build();

    ApiKeys(Pool pool) {
        this.pool = pool;
    }

    /** The key a request presents ({@code x-api-key} or {@code Authorization: Bearer}), or null. */
    public static String presented(Function<String, String> header) {
        String key = header.apply("x-api-key");
        if (key != null && !key.isBlank()) {
            return key.trim();
        }
        String authorization = header.apply("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    /** The owner of a valid key, or null. */
    public Uni<UUID> ownerOf(String key) {
        String hash = ApiKey.hash(key);
        UUID hit = known.getIfPresent(hash);
        if (hit != null) {
            return Uni.createFrom().item(hit);
        }
        return pool.preparedQuery("select owner_id from api.api_keys where key_hash = $1 and revoked_at is null")
                .execute(Tuple.of(hash)).map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    UUID ownerId = rows.iterator().next().getUUID(0);
                    known.put(hash, ownerId);
                    return ownerId;
                });
    }
}

package dev.runwire.api.admin;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.auth.ApiKey;

/** Owners as the admin API writes them, in SQL: a new owner with its first API key, and its rate-limit setting. */
@ApplicationScoped
public class Owners {

    private final Pool pool;

    Owners(Pool pool) {
        this.pool = pool;
    }

    /** A new owner, and its first API key as given to the admin this once. */
    public record Created(UUID ownerId, String name, String apiKey) {
    }

    /** Creates an owner and its first API key in one transaction (only the key's hash is stored). */
    Uni<Created> create(String name) {
        UUID ownerId = UUID.randomUUID();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        String key = ApiKey.generate();
        return pool
                .withTransaction(conn -> conn
                        .preparedQuery("insert into api.owners (id, name, created_at) values ($1, $2, $3)")
                        .execute(Tuple.of(ownerId, name, now))
                        .chain(() -> conn.preparedQuery("""
                                insert into api.api_keys (id, owner_id, key_hash, prefix, created_at, revoked_at)
                                values ($1, $2, $3, $4, $5, null)""").execute(
                                Tuple.of(UUID.randomUUID(), ownerId, ApiKey.hash(key), key.substring(0, 8), now))))
                .map(ignored -> new Created(ownerId, name, key));
    }

    /**
     * Sets whether the owner's API keys are exempt from rate limiting and its own limit.
     *
     * @return false when there is no such owner
     */
    /** Sets the owner's approval policy for destructive actions ({@code always} or {@code default}). */
    Uni<Boolean> setApprovalPolicy(UUID ownerId, String approvalForDestructive) {
        return pool.preparedQuery("update api.owners set approval_for_destructive = $2 where id = $1")
                .execute(Tuple.of(ownerId, approvalForDestructive)).map(rows -> rows.rowCount() == 1);
    }

    Uni<Boolean> setRateLimit(UUID ownerId, boolean exempt, Integer limitOverride) {
        return pool
                .preparedQuery("update api.owners set rate_limit_exempt = $2, rate_limit_override = $3 where id = $1")
                .execute(Tuple.of(ownerId, exempt, limitOverride)).map(rows -> rows.rowCount() == 1);
    }
}

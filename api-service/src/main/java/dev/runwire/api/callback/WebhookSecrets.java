package dev.runwire.api.callback;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.model.callback.WebhookSignature;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.crypto.SecretSealer;
import dev.runwire.model.json.Json;

/**
 * Each owner's callback signing secrets, sealed at rest with the secrets key. An owner gets one when first needed; a
 * rotation makes a new one current and keeps the previous signing for the configured overlap.
 */
@ApplicationScoped
public class WebhookSecrets {

    /** How long a replica signs with the secrets it read; a rotation's overlap covers it. */
    private static final Duration REMEMBER = Duration.ofSeconds(5);

    private final Pool pool;
    private final SecretSealer sealer;
    private final Duration overlap;
    private final Map<UUID, Known> known = new ConcurrentHashMap<>();

    private record Known(List<String> secrets, long until) {
    }

    /** The current secret, and until when the previous one still signs (null when none does). */
    public record Current(String secret, OffsetDateTime createdAt, OffsetDateTime previousExpiresAt) {
    }

    WebhookSecrets(Pool pool, ApiConfig config, SecretSealer sealer) {
        this.pool = pool;
        this.sealer = sealer;
        this.overlap = config.callbacks().secretOverlap();
    }

    /** The secrets that sign the owner's callbacks now, current first. */
    Uni<List<String>> signing(UUID ownerId) {
        Known hit = known.get(ownerId);
        if (hit != null && hit.until() > System.currentTimeMillis()) {
            return Uni.createFrom().item(hit.secrets());
        }
        return current(ownerId).chain(ignored -> pool.preparedQuery("""
                select sealed from api.webhook_secrets
                where owner_id = $1 and (expires_at is null or expires_at > now())
                order by expires_at is not null, created_at desc""").execute(Tuple.of(ownerId))).map(rows -> {
            List<String> secrets = new ArrayList<>();
            rows.forEach(row -> secrets.add(open(ownerId, row.getString(0))));
            known.put(ownerId, new Known(List.copyOf(secrets), System.currentTimeMillis() + REMEMBER.toMillis()));
            return secrets;
        });
    }

    /** The owner's current secret, made now if there is none. */
    public Uni<Current> current(UUID ownerId) {
        return pool.preparedQuery("""
                insert into api.webhook_secrets (id, owner_id, sealed, created_at) values ($1, $2, $3, now())
                on conflict do nothing""").execute(Tuple.of(UUID.randomUUID(), ownerId, seal(ownerId)))
                .chain(() -> read(ownerId));
    }

    /** Makes a new secret current; the previous one signs too until the overlap ends. */
    public Uni<Current> rotate(UUID ownerId) {
        OffsetDateTime until = OffsetDateTime.now(ZoneOffset.UTC).plus(overlap);
        known.remove(ownerId);
        return pool.withTransaction(conn -> conn.preparedQuery("""
                update api.webhook_secrets set expires_at = $2 where owner_id = $1 and expires_at is null""")
                .execute(Tuple.of(ownerId, until))
                .chain(() -> conn.preparedQuery(
                        """
                                insert into api.webhook_secrets (id, owner_id, sealed, created_at) values ($1, $2, $3, now())""")
                        .execute(Tuple.of(UUID.randomUUID(), ownerId, seal(ownerId)))))
                .chain(() -> read(ownerId));
    }

    private Uni<Current> read(UUID ownerId) {
        return pool.preparedQuery("""
                select sealed, created_at,
                       (select max(expires_at) from api.webhook_secrets p
                        where p.owner_id = $1 and p.expires_at > now()) as previous_expires_at
                from api.webhook_secrets where owner_id = $1 and expires_at is null""").execute(Tuple.of(ownerId))
                .map(rows -> {
                    var row = rows.iterator().next();
                    return new Current(open(ownerId, row.getString(0)), row.getOffsetDateTime(1),
                            row.getOffsetDateTime(2));
                });
    }

    private String seal(UUID ownerId) {
        return Json.write(sealer.seal(WebhookSignature.newSecret(), context(ownerId)));
    }

    private String open(UUID ownerId, String sealed) {
        return sealer.open(Json.read(sealed, SealedSecret.class), context(ownerId));
    }

    private static String context(UUID ownerId) {
        return "webhook-secret:" + ownerId;
    }
}

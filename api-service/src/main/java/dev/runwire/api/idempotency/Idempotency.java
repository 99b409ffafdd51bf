package dev.runwire.api.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.error.ApiException;
import dev.runwire.api.error.ErrorBody;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.model.json.Json;

/**
 * {@code Idempotency-Key} on requests that start runs. The first request with a key claims it (an insert the primary
 * key decides, so of two concurrent requests exactly one runs); its answer is stored and replayed, status and body, to
 * a repeat with the same body for 72 hours. A repeat with another body is a 422; a repeat while the first is in flight
 * is a 409. Zapier's {@code idempotency_id} works the way its seed documents instead ({@link Repeat#REPLAY}): the
 * repeat is ignored whatever its body and the original response returned, waiting a moment for it when the first
 * request is still in flight. Keys belong to an owner: another owner's identical key is another request. See
 * docs/adr/0014-idempotency.md.
 */
@ApplicationScoped
public class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    private static final Logger LOG = Logger.getLogger(Idempotency.class);
    private static final Duration KEPT = Duration.ofHours(72);
    /** A claim older than this without an answer belongs to a request whose replica died: it may be taken over. */
    private static final Duration ABANDONED = Duration.ofMinutes(5);
    private static final int MAX_KEY = 255;

    /** How long a replaying repeat waits for the first request's answer, in polls of {@link #POLL}. */
    private static final int IN_FLIGHT_POLLS = 50;
    private static final Duration POLL = Duration.ofMillis(100);

    /** How a repeat with another body is answered. */
    public enum Repeat {
        /** 422 {@code idempotency_key_reused} (the native {@code Idempotency-Key}). */
        REFUSE_OTHER_BODY,
        /** The original response, whatever the body (Zapier's {@code idempotency_id}). */
        REPLAY
    }

    private final Pool pool;
    private final Vertx vertx;

    Idempotency(Pool pool, Vertx vertx) {
        this.pool = pool;
        this.vertx = vertx;
    }

    /** Keeps the table bounded: keys past their 72 hours are deleted every ten minutes. */
    void purgeExpired(@Observes StartupEvent event) {
        vertx.setPeriodic(Duration.ofMinutes(10).toMillis(),
                id -> pool.preparedQuery("delete from api.idempotency_keys where created_at < $1")
                        .execute(Tuple.of(OffsetDateTime.now(ZoneOffset.UTC).minus(KEPT))).subscribe()
                        .with(rows -> LOG.debugf("purged %d expired idempotency keys", rows.rowCount()), failure -> LOG
                                .warnf("purging idempotency keys failed (%s)", failure.getClass().getSimpleName())));
    }

    /** Runs the request once per key; without a key it just runs. A repeat with another body is refused. */
    public Uni<Response> once(UUID ownerId, String key, Object body, Supplier<Uni<Response>> request) {
        return once(ownerId, key, body, Repeat.REFUSE_OTHER_BODY, request);
    }

    /** Runs the request once per key; without a key it just runs. */
    public Uni<Response> once(UUID ownerId, String key, Object body, Repeat repeat, Supplier<Uni<Response>> request) {
        if (key == null) {
            return request.get();
        }
        if (key.isBlank() || key.length() > MAX_KEY) {
            throw ApiException.badRequest(HEADER + " is 1 to " + MAX_KEY + " characters",
                    ErrorObject.Source.header(HEADER));
        }
        return attempt(ownerId, key, hash(body), repeat, request);
    }

    private Uni<Response> attempt(UUID ownerId, String key, String hash, Repeat repeat,
            Supplier<Uni<Response>> request) {
        return claim(ownerId, key, hash).chain(claimed -> {
            if (claimed) {
                return Uni.createFrom().deferred(request::get).onItemOrFailure().transformToUni((response, failure) -> {
                    if (failure instanceof ApiException api && api.status() < 500) {
                        return store(ownerId, key, api.status(), null, new ErrorBody(api.errors()))
                                .chain(() -> Uni.createFrom().failure(failure));
                    }
                    if (failure != null) {
                        // not the client's fault: let a retry with the same key try again
                        return release(ownerId, key).chain(() -> Uni.createFrom().failure(failure));
                    }
                    String location = response.getHeaderString("Location");
                    return store(ownerId, key, response.getStatus(), location, response.getEntity())
                            .replaceWith(response);
                });
            }
            return existing(ownerId, key, hash, repeat, request, IN_FLIGHT_POLLS);
        });
    }

    private Uni<Response> existing(UUID ownerId, String key, String hash, Repeat repeat,
            Supplier<Uni<Response>> request, int pollsLeft) {
        return pool.preparedQuery("""
                select request_hash, status, location, body, created_at from api.idempotency_keys
                where owner_id = $1 and key = $2""").execute(Tuple.of(ownerId, key)).chain(rows -> {
            if (rows.size() == 0) {
                // released or expired in between: claim again
                return attempt(ownerId, key, hash, repeat, request);
            }
            Row row = rows.iterator().next();
            if (repeat == Repeat.REFUSE_OTHER_BODY && !row.getString("request_hash").equals(hash)) {
                throw ApiException.invalid("idempotency_key_reused",
                        "this Idempotency-Key was used with a different request body", "");
            }
            Integer status = row.getInteger("status");
            if (status == null && repeat == Repeat.REPLAY && pollsLeft > 0) {
                // the original response is moments away (the first request only records and publishes): wait for it
                return Uni.createFrom()
                        .<Void> emitter(done -> vertx.setTimer(POLL.toMillis(), id -> done.complete(null)))
                        .chain(() -> existing(ownerId, key, hash, repeat, request, pollsLeft - 1));
            }
            if (status == null) {
                throw ApiException.conflict("request_in_flight",
                        "a request with this Idempotency-Key is still in flight; retry later",
                        ErrorObject.Source.header(HEADER));
            }
            Response.ResponseBuilder replay = Response.status(status).type(MediaType.APPLICATION_JSON)
                    .entity(row.getString("body")).header("Idempotent-Replayed", "true");
            if (row.getString("location") != null) {
                replay.header("Location", row.getString("location"));
            }
            return Uni.createFrom().item(replay.build());
        });
    }

    /** @return true when this request holds the key now */
    private Uni<Boolean> claim(UUID ownerId, String key, String hash) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return pool.preparedQuery("""
                with stale as (
                    delete from api.idempotency_keys
                    where owner_id = $1 and key = $2
                      and (created_at < $4 or (status is null and created_at < $5)))
                insert into api.idempotency_keys (owner_id, key, request_hash, created_at) values ($1, $2, $3, $6)
                on conflict do nothing
                returning 1""")
                .execute(Tuple.from(new Object[] { ownerId, key, hash, now.minus(KEPT), now.minus(ABANDONED), now }))
                .map(rows -> rows.size() == 1);
    }

    private Uni<Void> store(UUID ownerId, String key, int status, String location, Object body) {
        return pool.preparedQuery("""
                update api.idempotency_keys set status = $3, location = $4, body = $5, completed_at = now()
                where owner_id = $1 and key = $2""")
                .execute(Tuple.from(new Object[] { ownerId, key, status, location, Json.write(body) }))
                .replaceWithVoid();
    }

    private Uni<Void> release(UUID ownerId, String key) {
        return pool.preparedQuery("delete from api.idempotency_keys where owner_id = $1 and key = $2")
                .execute(Tuple.of(ownerId, key)).replaceWithVoid().onFailure().recoverWithItem(failure -> {
                    LOG.warnf("idempotency key could not be released (%s)", failure.getClass().getSimpleName());
                    return null;
                });
    }

    private static String hash(Object body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Json.write(body).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

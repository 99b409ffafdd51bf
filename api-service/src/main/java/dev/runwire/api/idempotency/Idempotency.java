package dev.runwire.api.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ErrorBody;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.ErrorTable;
import dev.runwire.api.error.RunwireException;
import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.model.json.Json;

/**
 * {@code Idempotency-Key} on requests that start runs. The first request with a key claims it (an insert the primary
 * key decides, so of two concurrent requests exactly one runs); its answer is stored and replayed, status and body, to
 * a repeat with the same body for 72 hours. A repeat with another body is a 422; a repeat while the first is in flight
 * is a 409. Zapier's {@code idempotency_id} works the way Zapier's Actions API documents instead
 * ({@link Repeat#REPLAY}): the repeat is ignored whatever its body and the original response returned, waiting a moment
 * for it when the first request is still in flight. Keys belong to an owner: another owner's identical key is another
 * request.
 * <p>
 * A claim is a lease on PostgreSQL's clock, renewed by its replica while the request is alive: a repeat of a request
 * whose replica died takes the key over once the lease lapses. The run a request creates is bound to its claim in the
 * run's own transaction, so the request that takes over answers with that run ({@link Claim#runId()}) rather than
 * starting another. See docs/adr/0014-idempotency.md and docs/adr/0028-idempotency-leases.md.
 */
@ApplicationScoped
public class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    private static final Logger LOG = Logger.getLogger(Idempotency.class);
    private static final Duration KEPT = Duration.ofHours(72);
    private static final int MAX_KEY = 255;

    /** How long a repeat waits for the first request's answer, in polls of {@link #POLL}. */
    private static final int IN_FLIGHT_POLLS = 50;
    private static final Duration POLL = Duration.ofMillis(100);

    /** How a repeat with another body is answered. */
    public enum Repeat {
        /** 422 {@code idempotency_key_reused} (the native {@code Idempotency-Key}). */
        REFUSE_OTHER_BODY,
        /** The original response, whatever the body (Zapier's {@code idempotency_id}). */
        REPLAY
    }

    /**
     * A request's hold on its key, handed to the request so that the run it creates is bound to the claim in the run's
     * own transaction ({@code RunStore}).
     *
     * @param ownerId
     *            null when the request has no key
     * @param key
     *            null when the request has no key
     * @param id
     *            this request's claim: only it may bind a run to the key or store an answer
     * @param runId
     *            the run an earlier request with the key created before its replica died, when this claim took the key
     *            over from it: the request answers with that run and starts none
     */
    public record Claim(UUID ownerId, String key, UUID id, UUID runId) {

        /** No key: the request runs as it would without idempotency. */
        public static final Claim NONE = new Claim(null, null, null, null);

        /** Whether an earlier request with the key already created the run. */
        public boolean runExists() {
            return runId != null;
        }
    }

    /** Raised by the run's insert when this request's claim was taken over before the run was written. */
    public static final class ClaimLost extends RuntimeException {
        public ClaimLost() {
            super("the idempotency key was taken over by a repeat of the request", null, false, false);
        }
    }

    /** This process: the holder of the claims of its requests (for operators: which replica holds a key). */
    private final UUID replica = UUID.randomUUID();
    /** Claims of requests alive in this replica: the ones it renews. */
    private final Set<Claim> live = ConcurrentHashMap.newKeySet();
    private final Pool pool;
    private final Vertx vertx;
    private final Duration lease;
    private final Duration renewEvery;
    private final Counter takeovers;

    Idempotency(Pool pool, Vertx vertx, ApiConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.vertx = vertx;
        this.lease = config.idempotency().lease();
        this.renewEvery = config.idempotency().renewEvery();
        this.takeovers = Counter.builder("runwire.idempotency.takeovers")
                .description("claims on idempotency keys taken over after their lease lapsed").register(registry);
    }

    /**
     * Renews live claims. It stays a Vert.x timer: runwire.idempotency.renew-every may be under a second, and the
     * scheduler's ticks are a second apart.
     */
    void onStart(@Observes StartupEvent event) {
        if (renewEvery.compareTo(lease) >= 0) {
            LOG.warnf("runwire.idempotency.renew-every (%s) is not under runwire.idempotency.lease (%s): "
                    + "claims of live requests will lapse", renewEvery, lease);
        }
        vertx.setPeriodic(renewEvery.toMillis(), id -> renew());
    }

    /**
     * Keeps the table bounded: keys past their 72 hours are deleted every ten minutes; a purge that outlasts that is
     * not started again over itself.
     */
    @Scheduled(identity = "idempotency-purge", every = "10m", delayed = "10m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purgeExpired() {
        return pool.preparedQuery("delete from api.idempotency_keys where created_at < $1")
                .execute(Tuple.of(OffsetDateTime.now(ZoneOffset.UTC).minus(KEPT)))
                .invoke(rows -> LOG.debugf("purged %d expired idempotency keys", rows.rowCount())).replaceWithVoid()
                .onFailure().recoverWithUni(failure -> {
                    LOG.warnf("purging idempotency keys failed (%s)", failure.getClass().getSimpleName());
                    return Uni.createFrom().voidItem();
                });
    }

    /** One statement renews the lease of every claim this replica's live requests hold. */
    private void renew() {
        if (live.isEmpty()) {
            return;
        }
        List<Claim> claims = List.copyOf(live);
        pool.preparedQuery("""
                update api.idempotency_keys k set lease_until = now() + make_interval(secs => $4)
                from unnest($1::uuid[], $2::text[], $3::uuid[]) as c(owner_id, key, claim_id)
                where k.owner_id = c.owner_id and k.key = c.key and k.claim_id = c.claim_id and k.status is null""")
                .execute(Tuple.of(claims.stream().map(Claim::ownerId).toArray(UUID[]::new),
                        claims.stream().map(Claim::key).toArray(String[]::new),
                        claims.stream().map(Claim::id).toArray(UUID[]::new), seconds(lease)))
                .subscribe().with(rows -> LOG.debugf("renewed %d idempotency claims", rows.rowCount()), failure -> LOG
                        .warnf("renewing idempotency claims failed (%s)", failure.getClass().getSimpleName()));
    }

    /** Runs the request once per key; without a key it just runs. A repeat with another body is refused. */
    public Uni<Response> once(UUID ownerId, String key, Object body, Function<Claim, Uni<Response>> request) {
        return once(ownerId, key, body, Repeat.REFUSE_OTHER_BODY, request);
    }

    /** Runs the request once per key; without a key it just runs. */
    public Uni<Response> once(UUID ownerId, String key, Object body, Repeat repeat,
            Function<Claim, Uni<Response>> request) {
        if (key == null) {
            return request.apply(Claim.NONE);
        }
        if (key.isBlank() || key.length() > MAX_KEY) {
            throw new Malformed(HEADER + " is 1 to " + MAX_KEY + " characters", ErrorObject.Source.header(HEADER));
        }
        return attempt(ownerId, key, hash(body), repeat, request, IN_FLIGHT_POLLS);
    }

    private Uni<Response> attempt(UUID ownerId, String key, String hash, Repeat repeat,
            Function<Claim, Uni<Response>> request, int pollsLeft) {
        return claim(ownerId, key, hash, repeat).chain(claim -> {
            if (claim == null) {
                return existing(ownerId, key, hash, repeat, request, pollsLeft);
            }
            live.add(claim);
            if (claim.runExists()) {
                takeovers.increment();
                LOG.infof("idempotency key of run %s taken over from a request whose lease lapsed", claim.runId());
            }
            return Uni.createFrom().deferred(() -> request.apply(claim)).onItemOrFailure()
                    .transformToUni((response, failure) -> {
                        if (failure instanceof ClaimLost) {
                            // a repeat took the key over while this request was stalled: it answers with the run
                            return Uni.createFrom().failure(inFlight());
                        }
                        if (failure instanceof RunwireException refused && ErrorTable.status(refused) < 500) {
                            return store(claim, ErrorTable.status(refused), null,
                                    new ErrorBody(ErrorTable.errors(refused)))
                                            .chain(() -> Uni.createFrom().failure(failure));
                        }
                        if (failure != null) {
                            // not the client's fault: let a retry with the same key try again
                            return release(claim).chain(() -> Uni.createFrom().failure(failure));
                        }
                        Response answer = claim.runExists()
                                ? Response.fromResponse(response).header("Idempotent-Replayed", "true").build()
                                : response;
                        return store(claim, answer.getStatus(), answer.getHeaderString("Location"), answer.getEntity())
                                .replaceWith(answer);
                    }).onTermination().invoke((response, failure, cancelled) -> {
                        live.remove(claim);
                        if (cancelled) {
                            // the caller went away: a retry need not wait for the lease to lapse
                            release(claim).subscribe().with(done -> {
                            }, failed -> {
                            });
                        }
                    });
        });
    }

    private Uni<Response> existing(UUID ownerId, String key, String hash, Repeat repeat,
            Function<Claim, Uni<Response>> request, int pollsLeft) {
        return pool.preparedQuery("""
                select request_hash, status, location, body,
                       coalesce(lease_until, created_at + interval '5 minutes') < now() as lapsed
                from api.idempotency_keys where owner_id = $1 and key = $2""").execute(Tuple.of(ownerId, key))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        // released or expired in between: claim again
                        return attempt(ownerId, key, hash, repeat, request, pollsLeft - 1);
                    }
                    Row row = rows.iterator().next();
                    if (repeat == Repeat.REFUSE_OTHER_BODY && !row.getString("request_hash").equals(hash)) {
                        throw new Invalid("idempotency_key_reused",
                                "this Idempotency-Key was used with a different request body", "");
                    }
                    Integer status = row.getInteger("status");
                    if (status == null && row.getBoolean("lapsed") && pollsLeft > 0) {
                        // the request that held the key is gone (its replica stopped renewing): take it over
                        return attempt(ownerId, key, hash, repeat, request, pollsLeft - 1);
                    }
                    if (status == null && repeat == Repeat.REPLAY && pollsLeft > 0) {
                        // the original response is moments away (the first request only records and publishes)
                        return Uni.createFrom()
                                .<Void> emitter(done -> vertx.setTimer(POLL.toMillis(), id -> done.complete(null)))
                                .chain(() -> existing(ownerId, key, hash, repeat, request, pollsLeft - 1));
                    }
                    if (status == null) {
                        throw inFlight();
                    }
                    Response.ResponseBuilder replay = Response.status(status).type(MediaType.APPLICATION_JSON)
                            .entity(row.getString("body")).header("Idempotent-Replayed", "true");
                    if (row.getString("location") != null) {
                        replay.header("Location", row.getString("location"));
                    }
                    return Uni.createFrom().item(replay.build());
                });
    }

    private static Conflict inFlight() {
        return new Conflict("request_in_flight", "a request with this Idempotency-Key is still in flight; retry later",
                ErrorObject.Source.header(HEADER));
    }

    /**
     * Claims the key: a new key, one past its 72 hours (which starts afresh), or one whose claim lapsed without an
     * answer (taken over, keeping its request and run; with another body only where a repeat replays whatever its
     * body).
     *
     * @return this request's claim, or null when another request holds the key or answered it
     */
    private Uni<Claim> claim(UUID ownerId, String key, String hash, Repeat repeat) {
        UUID id = UUID.randomUUID();
        return pool.preparedQuery("""
                insert into api.idempotency_keys as k (owner_id, key, request_hash, created_at, holder, claim_id,
                                                       lease_until)
                values ($1, $2, $3, now(), $4, $5, now() + make_interval(secs => $6))
                on conflict (owner_id, key) do update set
                    holder = excluded.holder, claim_id = excluded.claim_id, lease_until = excluded.lease_until,
                    request_hash = case when k.created_at < now() - make_interval(secs => $7) then excluded.request_hash
                                        else k.request_hash end,
                    run_id = case when k.created_at < now() - make_interval(secs => $7) then null else k.run_id end,
                    created_at = case when k.created_at < now() - make_interval(secs => $7) then now()
                                      else k.created_at end,
                    status = null, location = null, body = null, completed_at = null
                where k.created_at < now() - make_interval(secs => $7)
                   or (k.status is null and coalesce(k.lease_until, k.created_at + interval '5 minutes') < now()
                       and (k.request_hash = excluded.request_hash or $8))
                returning run_id""")
                .execute(Tuple.from(new Object[] { ownerId, key, hash, replica, id, seconds(lease), seconds(KEPT),
                        repeat == Repeat.REPLAY }))
                .map(rows -> rows.size() == 0 ? null : new Claim(ownerId, key, id, rows.iterator().next().getUUID(0)));
    }

    /** Stores the answer, unless a repeat took the claim over meanwhile (then the answer is its to store). */
    private Uni<Void> store(Claim claim, int status, String location, Object body) {
        return pool.preparedQuery("""
                update api.idempotency_keys set status = $4, location = $5, body = $6, completed_at = now()
                where owner_id = $1 and key = $2 and claim_id = $3""")
                .execute(Tuple.from(
                        new Object[] { claim.ownerId(), claim.key(), claim.id(), status, location, Json.write(body) }))
                .replaceWithVoid();
    }

    /**
     * Gives the key up: deleted when no run was created under it, so a retry starts afresh; left to be taken over at
     * once (its lease ended) when the run exists, so a retry answers with that run.
     */
    private Uni<Void> release(Claim claim) {
        return pool.preparedQuery("""
                with gone as (
                    delete from api.idempotency_keys
                    where owner_id = $1 and key = $2 and claim_id = $3 and status is null and run_id is null)
                update api.idempotency_keys set lease_until = '-infinity'
                where owner_id = $1 and key = $2 and claim_id = $3 and status is null and run_id is not null""")
                .execute(Tuple.of(claim.ownerId(), claim.key(), claim.id())).replaceWithVoid().onFailure()
                .recoverWithItem(failure -> {
                    LOG.warnf("idempotency key could not be released (%s)", failure.getClass().getSimpleName());
                    return null;
                });
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
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

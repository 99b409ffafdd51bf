package dev.runwire.api.ratelimit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.config.ApiConfig;

/**
 * The windows' quota in PostgreSQL ({@code api.rate_windows}), the one place every replica's leases meet: a lease adds
 * a slice to its subject's window in one statement, only while the window's total stays within the limit, so the slices
 * granted to all replicas together never exceed it. See docs/adr/0018-jwt-and-rate-limits.md.
 */
@ApplicationScoped
public class RateWindows {

    private static final Logger LOG = Logger.getLogger(RateWindows.class);

    /**
     * Takes a slice, or what remains of the limit when that is less; no row comes back when nothing remains. The row
     * lock makes concurrent leases of one window serial, and {@code last_grant} is computed from the count before the
     * update, so the statement returns exactly what it took.
     */
    private static final String LEASE = """
            insert into api.rate_windows as w (subject, window_start, count, last_grant)
            values ($1, $2, least($3, $4), least($3, $4))
            on conflict (subject, window_start) do update
                set count = w.count + least($3, $4 - w.count), last_grant = least($3, $4 - w.count)
                where w.count < $4
            returning count, last_grant""";

    /** A slice taken: how much, and the window's total granted to all replicas with it. */
    record Lease(int taken, int granted) {
    }

    private final Pool pool;
    private final long windowSeconds;
    private final LongAdder leases = new LongAdder();

    RateWindows(Pool pool, ApiConfig config) {
        this.pool = pool;
        this.windowSeconds = config.rateLimit().window().toSeconds();
    }

    /**
     * Leases up to {@code slice} of the subject's window that starts at {@code windowStart} (epoch seconds), within
     * {@code limit}; null when the window has nothing left under that limit. One statement, one commit.
     */
    Uni<Lease> lease(String subject, long windowStart, int slice, int limit) {
        leases.increment();
        return pool.preparedQuery(LEASE).execute(Tuple.of(subject, at(windowStart), slice, limit)).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            return new Lease(row.getInteger("last_grant"), row.getInteger("count"));
        });
    }

    /** Lease statements this instance has run (each is one commit). */
    long leases() {
        return leases.sum();
    }

    /** Old windows are deleted every minute; a purge that outlasts the minute is not started again over itself. */
    @Scheduled(identity = "rate-window-purge", every = "1m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        return pool.preparedQuery("delete from api.rate_windows where window_start < $1")
                .execute(Tuple.of(OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(2 * windowSeconds))).replaceWithVoid()
                .onFailure().recoverWithUni(failure -> {
                    LOG.warnf("purging rate windows failed (%s)", failure.getClass().getSimpleName());
                    return Uni.createFrom().voidItem();
                });
    }

    private static OffsetDateTime at(long epochSecond) {
        return OffsetDateTime.ofInstant(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
    }
}

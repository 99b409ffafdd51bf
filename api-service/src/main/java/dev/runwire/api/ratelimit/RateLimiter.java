package dev.runwire.api.ratelimit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ErrorTable;
import dev.runwire.api.error.RunwireException;

/**
 * Fixed-window rate limits counted in PostgreSQL, so every api-service replica sees one count: each request adds one to
 * its subject's window in a single upsert, and is admitted when the count it got back is within the limit. Two replicas
 * can never admit more than the limit between them. See docs/adr/0018-jwt-and-rate-limits.md.
 */
@ApplicationScoped
public class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);

    private final Pool pool;
    private final long windowSeconds;

    /** A request's standing: its window's limit, what remains, and when the window resets (epoch seconds). */
    public record Decision(boolean admitted, int limit, int remaining, long resetAt) {

        /** Seconds until the window resets, at least one. */
        public long retryAfter() {
            return Math.max(1, resetAt - Instant.now().getEpochSecond());
        }
    }

    /** The {@code X-RateLimit-*} headers of a counted response. */
    public static java.util.Map<String, String> headers(Decision decision) {
        return ErrorTable.rateLimitHeaders(decision.limit(), decision.remaining(), decision.resetAt());
    }

    /**
     * The refusal of a request over the limit: a 429 with {@code Retry-After} and the {@code X-RateLimit-*} headers.
     */
    public static RunwireException.RateLimited tooManyRequests(Decision decision) {
        return new RunwireException.RateLimited(decision.limit(), decision.remaining(), decision.resetAt(),
                decision.retryAfter());
    }

    RateLimiter(Pool pool, ApiConfig config) {
        this.pool = pool;
        this.windowSeconds = config.rateLimit().window().toSeconds();
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

    /** Counts the request; null for an exempt principal (nothing counted, no headers). */
    public Uni<Decision> admit(RateSubject principal) {
        if (principal.exempt()) {
            return Uni.createFrom().nullItem();
        }
        long now = Instant.now().getEpochSecond();
        long start = now - now % windowSeconds;
        return pool.preparedQuery("""
                insert into api.rate_windows (subject, window_start, count) values ($1, $2, 1)
                on conflict (subject, window_start) do update set count = api.rate_windows.count + 1
                returning count""").execute(
                Tuple.of(principal.subject(), OffsetDateTime.ofInstant(Instant.ofEpochSecond(start), ZoneOffset.UTC)))
                .map(rows -> {
                    int count = rows.iterator().next().getInteger(0);
                    return new Decision(count <= principal.limit(), principal.limit(),
                            Math.max(0, principal.limit() - count), start + windowSeconds);
                });
    }
}

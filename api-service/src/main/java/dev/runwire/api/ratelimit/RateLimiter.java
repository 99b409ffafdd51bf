package dev.runwire.api.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ErrorTable;
import dev.runwire.api.error.RunwireException;

/**
 * Fixed-window rate limits shared by every api-service replica, with quota leased in slices: a replica takes a slice of
 * a subject's window from PostgreSQL ({@link RateWindows}) and admits requests from it in memory, leasing the next
 * slice when it runs out. The slices granted to all replicas never add up to more than the limit, so two replicas can
 * never admit more than the limit between them; a slice is a share of the limit ({@code limit / slice-divisor}, at
 * least 1, at most {@code max-slice}), so a low limit is leased one request at a time and counts exactly. See
 * docs/adr/0018-jwt-and-rate-limits.md.
 */
@ApplicationScoped
public class RateLimiter {

    /** Subjects whose window a replica keeps in memory at most; one evicted loses only its unused slice. */
    private static final int MAX_SUBJECTS = 100_000;

    private final RateWindows store;
    private final long windowSeconds;
    private final int sliceDivisor;
    private final int maxSlice;
    private final LongSupplier epochSeconds;
    /** Each subject's current window; a past one is replaced by the first request of the next. */
    private final Cache<String, SubjectWindow> windows;

    /** A request's standing: its window's limit, what remains, and when the window resets (epoch seconds). */
    public record Decision(boolean admitted, int limit, int remaining, long resetAt) {

        /** Seconds until the window resets, at least one. */
        public long retryAfter() {
            return Math.max(1, resetAt - Instant.now().getEpochSecond());
        }
    }

    /** The {@code X-RateLimit-*} headers of a counted response. */
    public static Map<String, String> headers(Decision decision) {
        return ErrorTable.rateLimitHeaders(decision.limit(), decision.remaining(), decision.resetAt());
    }

    /**
     * The refusal of a request over the limit: a 429 with {@code Retry-After} and the {@code X-RateLimit-*} headers.
     */
    public static RunwireException.RateLimited tooManyRequests(Decision decision) {
        return new RunwireException.RateLimited(decision.limit(), decision.remaining(), decision.resetAt(),
                decision.retryAfter());
    }

    @Inject
    RateLimiter(RateWindows store, ApiConfig config) {
        this(store, config.rateLimit(), () -> Instant.now().getEpochSecond());
    }

    RateLimiter(RateWindows store, ApiConfig.RateLimit settings, LongSupplier epochSeconds) {
        this.store = store;
        this.windowSeconds = settings.window().toSeconds();
        this.sliceDivisor = Math.max(1, settings.sliceDivisor());
        this.maxSlice = Math.max(1, settings.maxSlice());
        this.epochSeconds = epochSeconds;
        this.windows = Caffeine.newBuilder().maximumSize(MAX_SUBJECTS)
                .expireAfterAccess(Duration.ofSeconds(windowSeconds)).build();
    }

    /**
     * Counts the request; null for an exempt principal (nothing counted, no headers). Fails as the lease statement does
     * when PostgreSQL cannot be reached and the slice is empty.
     */
    public Uni<Decision> admit(RateSubject principal) {
        if (principal.exempt()) {
            return Uni.createFrom().nullItem();
        }
        return admit(principal.subject(), principal.limit());
    }

    Uni<Decision> admit(String subject, int limit) {
        return Uni.createFrom().deferred(() -> decide(subject, limit));
    }

    private Uni<Decision> decide(String subject, int limit) {
        SubjectWindow window = current(subject);
        if (limit < 1) {
            return Uni.createFrom().item(new Decision(false, limit, 0, window.start + windowSeconds));
        }
        SubjectWindow.Step step = window.take(limit);
        if (step.decision() != null) {
            return Uni.createFrom().item(step.decision());
        }
        if (step.start()) {
            lease(subject, window, limit, step.lease());
        }
        // every waiter, the one that started the lease included, goes on on its own event loop and asks again
        return Uni.createFrom().completionStage(step.lease()).emitOn(callerContext())
                .chain(() -> admit(subject, limit));
    }

    /** The slice a lease asks for under {@code limit}. */
    int slice(int limit) {
        return Math.max(1, Math.min(maxSlice, limit / sliceDivisor));
    }

    /** The subject's window for now; a past one is dropped with its unused slice. */
    private SubjectWindow current(String subject) {
        long now = epochSeconds.getAsLong();
        long start = now - Math.floorMod(now, windowSeconds);
        SubjectWindow known = windows.getIfPresent(subject);
        if (known != null && known.start >= start) {
            return known;
        }
        return windows.asMap().compute(subject,
                (key, old) -> old != null && old.start >= start ? old : new SubjectWindow(start, windowSeconds));
    }

    /**
     * Runs one lease for everyone waiting on {@code done}; it is not tied to the request that started it, so a request
     * that goes away does not leave the others waiting.
     */
    private void lease(String subject, SubjectWindow window, int limit, CompletableFuture<Void> done) {
        store.lease(subject, window.start, slice(limit), limit).subscribe().with(lease -> {
            if (lease == null) {
                window.exhausted(limit);
            } else {
                window.leased(lease);
            }
            done.complete(null);
        }, failure -> {
            window.failed();
            done.completeExceptionally(failure);
        });
    }

    /** Where a request waiting for a lease goes on: its own Vert.x context when it has one. */
    private static Executor callerContext() {
        Context context = Vertx.currentContext();
        return context == null ? Runnable::run : task -> context.runOnContext(ignored -> task.run());
    }

    /** This replica's unused slice of the subject's current window (for tests). */
    int left(String subject) {
        SubjectWindow known = windows.getIfPresent(subject);
        return known == null ? 0 : known.left();
    }

    /** The window this replica keeps for the subject, its start in epoch seconds; -1 when none (for tests). */
    long windowStart(String subject) {
        SubjectWindow known = windows.getIfPresent(subject);
        return known == null ? -1 : known.start;
    }
}

package dev.runwire.api.feed;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;

/**
 * Read-your-writes for answers taken from the broadcast: a caller answered with its run's end must find that end when
 * it reads the run next (its status, its events, an approval token now refused). The broadcast usually runs a few
 * milliseconds ahead of the read model, so an answer waits until the end is stored: told at once by this replica's read
 * model when it stored it, or by PostgreSQL's notification from whichever replica stored it; without either in time,
 * found by looking at the store, more and more rarely, up to {@link #LONGEST} — after which the caller is answered
 * anyway (the store is slow or away, and the answer is still true). ADR 0044.
 */
@ApplicationScoped
public class StoredEnds {

    /** The first look at the store after the end arrived; the time between looks doubles from there. */
    static final Duration LOOK_EVERY = Duration.ofMillis(20);
    /** The longest time between two looks. */
    static final Duration LONGEST_BETWEEN_LOOKS = Duration.ofMillis(200);
    /**
     * The first look while the replicas' notifications are heard: they come first, but may be lost with a connection.
     */
    static final Duration FIRST_LOOK_LISTENING = Duration.ofMillis(200);
    /** The longest an answer waits for the store. */
    static final Duration LONGEST = Duration.ofSeconds(2);
    private static final long MILLI = Duration.ofMillis(1).toNanos();

    private final Map<UUID, CompletableFuture<Void>> awaited = new ConcurrentHashMap<>();
    private final Timer delay;
    private final Counter looks;
    private volatile boolean listening;

    StoredEnds(MeterRegistry registry) {
        this.delay = Timer.builder("runwire.read_model.answer_wait").register(registry);
        this.looks = Counter.builder("runwire.read_model.answer_looks").register(registry);
    }

    /** Whether the replicas' notifications of stored ends are heard now. */
    public void listening(boolean heard) {
        listening = heard;
    }

    /** Interest in a run's stored end, before anything could store it. */
    public void expect(UUID runId) {
        awaited.computeIfAbsent(runId, id -> new CompletableFuture<>());
    }

    /** No longer waited for (the wait ended without an end). */
    public void forget(UUID runId) {
        awaited.remove(runId);
    }

    /** Called by this replica's read model once a transaction that stored these runs' ends committed. */
    public void stored(Iterable<UUID> ended) {
        if (awaited.isEmpty()) {
            return;
        }
        for (UUID runId : ended) {
            CompletableFuture<Void> waiting = awaited.remove(runId);
            if (waiting != null) {
                waiting.complete(null);
            }
        }
    }

    /**
     * Completes once the run's end is stored, as told by {@link #stored} or found by {@code isStored}, or after
     * {@link #LONGEST}; never fails.
     */
    public Uni<Void> untilStored(UUID runId, Function<UUID, Uni<Boolean>> isStored) {
        CompletableFuture<Void> told = awaited.get(runId);
        if (told == null || told.isDone()) {
            awaited.remove(runId);
            return Uni.createFrom().voidItem();
        }
        long start = System.nanoTime();
        Duration first = listening ? FIRST_LOOK_LISTENING : LOOK_EVERY;
        return look(runId, told, isStored, first, start + LONGEST.toNanos()).onTermination().invoke(() -> {
            awaited.remove(runId);
            delay.record(Duration.ofNanos(System.nanoTime() - start));
        });
    }

    /** Looks grow apart while the store lags: an overloaded system is not asked more often. */
    private static Duration longer(Duration wait) {
        Duration doubled = wait.multipliedBy(2);
        return doubled.compareTo(LONGEST_BETWEEN_LOOKS) > 0 ? LONGEST_BETWEEN_LOOKS : doubled;
    }

    private Uni<Void> look(UUID runId, CompletableFuture<Void> told, Function<UUID, Uni<Boolean>> isStored,
            Duration wait, long deadline) {
        long left = deadline - System.nanoTime();
        if (left < MILLI) {
            // the timers cannot wait less than a millisecond
            return Uni.createFrom().voidItem();
        }
        // a copy: giving up one wait must not complete the future the read model completes
        return Uni.createFrom().completionStage(told.copy()).map(done -> true).ifNoItem()
                .after(Duration.ofNanos(Math.min(left, wait.toNanos()))).recoverWithItem(false).chain(done -> {
                    if (done) {
                        return Uni.createFrom().item(true);
                    }
                    looks.increment();
                    return isStored.apply(runId).onFailure().recoverWithItem(false);
                }).chain(done -> done ? Uni.createFrom().voidItem()
                        : look(runId, told, isStored, longer(wait), deadline));
    }
}

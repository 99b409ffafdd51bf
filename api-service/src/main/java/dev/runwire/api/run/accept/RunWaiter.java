package dev.runwire.api.run.accept;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.feed.RunFeed;
import dev.runwire.api.feed.StoredEnds;
import dev.runwire.api.run.RunStore;
import dev.runwire.model.event.RunEvent;

/**
 * The one synchronous wait of a request for its run's end, on this replica's broadcast of run events (never by polling
 * the database), up to the configured sync wait. Interest is registered before the command is written, so an end that
 * comes quickly cannot be missed.
 */
@ApplicationScoped
public class RunWaiter {

    /** How often a request answering with an existing run looks for the run's end in the store. */
    private static final Duration STORE_LOOK = Duration.ofSeconds(1);

    private final RunFeed feed;
    private final StoredEnds ends;
    private final RunStore store;
    private final ApiConfig config;

    RunWaiter(RunFeed feed, StoredEnds ends, RunStore store, ApiConfig config) {
        this.feed = feed;
        this.ends = ends;
        this.store = store;
        this.config = config;
    }

    /**
     * Registers for the run's end, writes (the command that makes the run go on), then waits up to the sync wait; an
     * end is answered once the read model has it too ({@link StoredEnds}).
     *
     * @return the terminal event, or null when the run had not ended in time
     */
    public Uni<RunEvent> writeThenAwait(UUID runId, Supplier<Uni<?>> write) {
        CompletableFuture<RunEvent> end = feed.register(runId);
        ends.expect(runId);
        return write.get().onFailure().invoke(() -> {
            feed.forget(runId);
            ends.forget(runId);
        }).chain(() -> Uni.createFrom().completionStage(end).ifNoItem().after(config.run().syncWait())
                .recoverWithItem(() -> null).chain(terminal -> stored(runId, terminal)));
    }

    /** The end once the read model has it; null (no end in time) at once. */
    private Uni<RunEvent> stored(UUID runId, RunEvent terminal) {
        if (terminal == null) {
            feed.forget(runId);
            ends.forget(runId);
            return Uni.createFrom().nullItem();
        }
        return ends.untilStored(runId, store::endStored).replaceWith(terminal);
    }

    /**
     * The end of a run that exists already (up to the sync wait), or null. The run may have ended before anybody here
     * listened, and the read model may take a while to have its end (the replica that stored this run's events may be
     * the one that died): the store is looked at now and then while the broadcast is awaited. Rare (a takeover), so the
     * polls cost little.
     */
    public Uni<RunEvent> endOfExisting(UUID runId) {
        CompletableFuture<RunEvent> end = feed.register(runId);
        ends.expect(runId);
        long deadline = System.nanoTime() + config.run().syncWait().toNanos();
        return endOf(runId, end, deadline).chain(terminal -> stored(runId, terminal)).onTermination()
                .invoke(() -> feed.forget(runId));
    }

    private Uni<RunEvent> endOf(UUID runId, CompletableFuture<RunEvent> end, long deadline) {
        return store.storedEnd(runId).chain(stored -> {
            long left = deadline - System.nanoTime();
            if (stored != null) {
                // read from the store: nothing to wait for
                ends.forget(runId);
            }
            // the timers cannot wait less than a millisecond
            if (stored != null || left < Duration.ofMillis(1).toNanos()) {
                return Uni.createFrom().item(stored);
            }
            // a copy: giving up one wait must not cancel the future the broadcast completes
            return Uni.createFrom().completionStage(end.copy()).ifNoItem()
                    .after(Duration.ofNanos(Math.min(left, STORE_LOOK.toNanos()))).recoverWithItem(() -> null)
                    .chain(event -> event != null ? Uni.createFrom().item(event) : endOf(runId, end, deadline));
        });
    }
}

package dev.runwire.executor.run;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs work for one key strictly one after another, and work for different keys concurrently: the commands of one run
 * never overtake each other while many runs are in flight.
 */
final class KeyedSequencer {

    private final Map<UUID, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    CompletableFuture<Void> submit(UUID key, Supplier<CompletionStage<Void>> work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> previous = tails.put(key, done);
        CompletableFuture<Void> start = previous == null ? CompletableFuture.completedFuture(null)
                : previous.handle((ok, err) -> null);
        start.thenCompose(ignored -> work.get()).whenComplete((ok, err) -> {
            tails.remove(key, done);
            if (err != null) {
                done.completeExceptionally(err);
            } else {
                done.complete(null);
            }
        });
        return done;
    }
}

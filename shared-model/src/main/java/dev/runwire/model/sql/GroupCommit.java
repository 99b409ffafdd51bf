package dev.runwire.model.sql;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

import dev.runwire.model.Outages;

/**
 * Group commit: writes that arrive while a transaction is being committed wait and go together in the next one. Under
 * load one commit, and one WAL flush, serves many writes; a write that finds nothing in flight goes at once, so a lone
 * write waits no longer than before. Every caller still hears of its write only once it is committed (docs/adr/0009).
 * The executor groups runs' state writes, the api-service the acceptance of runs.
 * <p>
 * A group refused for anything but an outage is written again write by write, each in a transaction of its own, so one
 * write's bad data fails that write alone; an outage fails every write of the group, and each caller handles it as it
 * would a failure of its own write.
 */
public final class GroupCommit {

    /** One write: one statement on the group's connection (atomic by itself when it goes alone). */
    public interface Write<T> extends Function<SqlConnection, Uni<T>> {
    }

    private record Pending<T>(Write<T> write, CompletableFuture<T> done) {

        void complete(Object result) {
            @SuppressWarnings("unchecked")
            T typed = (T) result;
            done.complete(typed);
        }
    }

    private final Pool pool;
    private final int largestGroup;
    private final ArrayDeque<Pending<?>> waiting = new ArrayDeque<>();
    private boolean committing;
    private long groups;
    private long writes;

    public GroupCommit(Pool pool, int largestGroup) {
        this.pool = pool;
        this.largestGroup = largestGroup;
    }

    /** The write, committed with whatever else is waiting; its result once the transaction has committed. */
    public <T> Uni<T> submit(Write<T> write) {
        return Uni.createFrom().deferred(() -> {
            Pending<T> pending = new Pending<>(write, new CompletableFuture<>());
            boolean lead;
            synchronized (this) {
                waiting.add(pending);
                lead = !committing;
                committing = true;
            }
            if (lead) {
                next();
            }
            return Uni.createFrom().completionStage(pending.done());
        });
    }

    /** Commits the writes waiting now, then the ones that came meanwhile, until none is left. */
    private void next() {
        List<Pending<?>> group = new ArrayList<>();
        synchronized (this) {
            while (!waiting.isEmpty() && group.size() < largestGroup) {
                group.add(waiting.poll());
            }
            if (group.isEmpty()) {
                committing = false;
                return;
            }
            groups++;
            writes += group.size();
        }
        commit(group).subscribe().with(ignored -> next(), ignored -> next());
    }

    private Uni<Void> commit(List<Pending<?>> group) {
        if (group.size() == 1) {
            return alone(group.get(0));
        }
        return pool.withTransaction(connection -> {
            List<Uni<Object>> statements = group.stream().map(p -> p.write().apply(connection).map(r -> (Object) r))
                    .toList();
            // one connection pipelines them; a failure aborts the transaction, so the first one is enough
            return Uni.join().all(statements).andFailFast();
        }).invoke(results -> {
            for (int i = 0; i < group.size(); i++) {
                group.get(i).complete(results.get(i));
            }
        }).replaceWithVoid().onFailure().recoverWithUni(failure -> {
            if (Outages.isOutage(failure)) {
                group.forEach(p -> p.done().completeExceptionally(failure));
                return Uni.createFrom().voidItem();
            }
            // one write's data spoiled the group: each on its own, so only that one fails
            return Uni.join().all(group.stream().map(this::alone).toList()).andCollectFailures().replaceWithVoid()
                    .onFailure().recoverWithNull();
        });
    }

    /** One write by itself: its one statement is its own transaction, so no BEGIN and COMMIT round trips. */
    private Uni<Void> alone(Pending<?> pending) {
        return pool.withConnection(connection -> pending.write().apply(connection)).invoke(pending::complete)
                .onFailure().invoke(pending.done()::completeExceptionally).replaceWithVoid().onFailure()
                .recoverWithNull();
    }

    /** Transactions committed (or tried) so far. */
    public synchronized double groups() {
        return groups;
    }

    /** Writes handed to those transactions: over {@link #groups()}, how much the grouping saves. */
    public synchronized double writes() {
        return writes;
    }
}

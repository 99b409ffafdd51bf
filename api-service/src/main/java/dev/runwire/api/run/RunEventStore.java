package dev.runwire.api.run;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.billing.TaskLedger;
import dev.runwire.api.callback.Deliveries;
import dev.runwire.api.outbox.OutboxDeletes;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.json.Json;

/**
 * The read model's writes: a batch of run events stored, the runs' rows moved forward, and what the events cause in the
 * same transaction (billing's refunds, callbacks).
 */
@ApplicationScoped
public class RunEventStore {

    private final Pool pool;
    private final Deliveries deliveries;
    private final OutboxDeletes outboxDeletes;

    RunEventStore(Pool pool, Deliveries deliveries, OutboxDeletes outboxDeletes) {
        this.pool = pool;
        this.deliveries = deliveries;
        this.outboxDeletes = outboxDeletes;
    }

    /**
     * What a batch's transaction gave: whether callbacks may have been enqueued, and the WAL epoch it committed in
     * (null when none was set yet). A commit of another epoch than the current one may have been lost in a crash.
     */
    public record Stored(boolean enqueued, UUID epoch) {
    }

    /** Where the server's WAL stands (bytes), and its current epoch (null after a crash, until one is set). */
    public record WalPosition(long flushed, long inserted, UUID epoch) {
    }

    /**
     * Stores a batch of events in one transaction. A replayed event is a no-op ((run_id, seq) is unique), a run's row
     * only moves forward (its last applied sequence guards the update), and an event of a run this store does not know
     * is dropped instead of stopping the consumer. The callbacks the events cause are enqueued in the same transaction,
     * each with the run as its surface shows it ({@code render}) and the trace its POST continues ({@code traceOf}, a
     * {@code traceparent} or null).
     * <p>
     * The transaction commits without waiting for its WAL flush: the events are on the run-events topic, and the caller
     * acknowledges them only once {@link #walPosition()} shows the commit flushed (ADR 0009). It also deletes the
     * outbox rows of commands published meanwhile ({@link OutboxDeletes}).
     */
    public Uni<Stored> storeEvents(List<RunEvent> events, Function<RunRecord, String> render,
            Function<RunEvent, String> traceOf) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(new Stored(false, null));
        }
        List<Tuple> inserts = new ArrayList<>(events.size());
        Map<UUID, RunEvent> newest = new LinkedHashMap<>();
        for (RunEvent event : events) {
            inserts.add(Tuple.of(event.runId(), event.seq(), event.eventId(), event.type().name(), Json.write(event),
                    event.at().atOffset(ZoneOffset.UTC)));
            newest.merge(event.runId(), event, (a, b) -> a.seq() >= b.seq() ? a : b);
        }
        List<Tuple> updates = new ArrayList<>(newest.size());
        for (RunEvent event : newest.values()) {
            boolean terminal = event.type().isTerminal();
            updates.add(Tuple.from(new Object[] { event.runId(), event.status().name(),
                    terminal && event.output() != null ? Json.write(event.output()) : null,
                    terminal && event.error() != null ? Json.write(event.error()) : null, event.seq(),
                    event.at().atOffset(ZoneOffset.UTC) }));
        }
        // the runs whose end this batch stores, told to every replica at commit (NOTIFY is sent only if it commits)
        List<String> ends = notices(events);
        // published commands' outbox rows go with the batch: one commit fewer for each (OutboxDeletes)
        List<Long> published = outboxDeletes.take();
        return pool
                .withTransaction(conn -> conn.preparedQuery(BATCH_START)
                        .execute(Tuple.of(ends.toArray(String[]::new), published.toArray(Long[]::new)))
                        .chain(relaxed -> storeEvents(conn, inserts, updates, events, render, traceOf)
                                .map(enqueued -> new Stored(enqueued, relaxed.iterator().next().getUUID(1)))))
                .onFailure().invoke(() -> outboxDeletes.giveBack(published));
    }

    /**
     * The PostgreSQL channel on which the read model announces, at commit, the runs whose end it stored: run ids,
     * comma-separated.
     */
    public static final String RUN_ENDS_CHANNEL = "runwire_run_ends";

    /**
     * A batch's first statement: its commit does not wait for the WAL flush, it reads the WAL epoch, announces the runs
     * whose end it stores ($1) and deletes the outbox rows of published commands ($2).
     */
    private static final String BATCH_START = """
            with published as (delete from api.outbox where id = any($2) returning 1)
            select set_config('synchronous_commit', 'off', true), (select epoch from api.wal_epoch where id = 1),
                   (select count(pg_notify('%s', ids)) from unnest($1::text[]) ids),
                   (select count(*) from published)""".formatted(RUN_ENDS_CHANNEL);

    /** Run ids per notification: a payload stays well under PostgreSQL's 8,000 bytes. */
    private static final int IDS_PER_NOTICE = 150;

    private static List<String> notices(List<RunEvent> events) {
        List<String> ids = events.stream().filter(e -> e.type().isTerminal()).map(e -> e.runId().toString()).distinct()
                .toList();
        List<String> notices = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += IDS_PER_NOTICE) {
            notices.add(String.join(",", ids.subList(i, Math.min(ids.size(), i + IDS_PER_NOTICE))));
        }
        return notices;
    }

    /**
     * Where the server's WAL stands: a commit before {@code inserted} is durable once {@code flushed} has passed that
     * point, unless the epoch changed meanwhile. The epoch lives in an unlogged table, which PostgreSQL empties when it
     * recovers from a crash — the one case in which commits that were not flushed are lost.
     */
    public Uni<WalPosition> walPosition() {
        return pool
                .preparedQuery(
                        """
                                select (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::bigint, (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint,
                                       (select epoch from api.wal_epoch where id = 1)""")
                .execute().map(rows -> {
                    var row = rows.iterator().next();
                    return new WalPosition(row.getLong(0), row.getLong(1), row.getUUID(2));
                });
    }

    /** Starts a new WAL epoch unless another replica already did. */
    public Uni<Void> newWalEpoch() {
        return pool.preparedQuery("insert into api.wal_epoch (id, epoch) values (1, $1) on conflict (id) do nothing")
                .execute(Tuple.of(UUID.randomUUID())).replaceWithVoid();
    }

    private Uni<Boolean> storeEvents(SqlConnection conn, List<Tuple> inserts, List<Tuple> updates,
            List<RunEvent> events, Function<RunRecord, String> render, Function<RunEvent, String> traceOf) {
        return conn.preparedQuery("""
                insert into api.run_events (run_id, seq, event_id, type, payload, at)
                select $1, $2, $3, $4, $5::text::jsonb, $6 where exists (select 1 from api.runs where id = $1)
                on conflict do nothing""").executeBatch(inserts).chain(() -> conn.preparedQuery("""
                update api.runs set status = $2, result = coalesce($3::text::jsonb, result),
                       error = coalesce($4::text::jsonb, error), last_seq = $5, updated_at = $6,
                       auth_expiry_sent = auth_expiry_sent and $2 = 'AUTH_REQUIRED'
                where id = $1 and last_seq < $5
                returning id, callback_url is not null""").executeBatch(updates)).chain(moved -> TaskLedger
                .refund(conn, events).chain(() -> callbacks(conn, events, withCallbacks(moved), render, traceOf)));
    }

    /**
     * The runs among those a batch moved forward that have a callback URL. A run the batch did not move had every event
     * of it stored, and its callbacks enqueued, by an earlier transaction (its row moves only with its events).
     */
    private static Set<UUID> withCallbacks(RowSet<Row> moved) {
        Set<UUID> runs = new HashSet<>();
        for (RowSet<Row> result = moved; result != null; result = result.next()) {
            for (Row row : result) {
                if (row.getBoolean(1)) {
                    runs.add(row.getUUID(0));
                }
            }
        }
        return runs;
    }

    /**
     * Enqueues the callbacks a batch of stored events causes, inside the batch's transaction. The body is the run as
     * its surface's read shows it right now; a replayed event enqueues nothing ((run_id, run_seq) is unique). Runs
     * without a callback URL cost no query (most runs: a waiting caller or a stream reads them instead).
     */
    private Uni<Boolean> callbacks(SqlConnection conn, List<RunEvent> events, Set<UUID> withCallbacks,
            Function<RunRecord, String> render, Function<RunEvent, String> traceOf) {
        List<RunEvent> candidates = events.stream()
                .filter(event -> withCallbacks.contains(event.runId()) && Deliveries.mayNotify(event)).toList();
        if (candidates.isEmpty()) {
            return Uni.createFrom().item(false);
        }
        UUID[] runIds = candidates.stream().map(RunEvent::runId).distinct().toArray(UUID[]::new);
        return conn.preparedQuery("select " + RunStore.RUN_COLUMNS + """
                 from api.runs
                where id = any($1) and callback_url is not null""").execute(Tuple.of(runIds)).chain(rows -> {
            Map<UUID, RunRecord> byId = new HashMap<>();
            rows.forEach(row -> byId.put(row.getUUID("id"), RunStore.record(row)));
            List<Deliveries.NewDelivery> due = new ArrayList<>();
            for (RunEvent event : candidates) {
                RunRecord run = byId.get(event.runId());
                if (run != null && Deliveries.notifies(event, run.surface())) {
                    due.add(new Deliveries.NewDelivery(run.ownerId(), event.runId(), event.seq(), event.type().name(),
                            run.callbackUrl(), render.apply(run), traceOf.apply(event)));
                }
            }
            return deliveries.enqueue(conn, due);
        });
    }
}

package dev.runwire.api.callback;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;

/**
 * The deliveries table: enqueued with the events that cause them (same transaction), claimed by one replica at a time
 * through a lease, finished with a record of each attempt. See docs/adr/0016-callbacks.md.
 */
@ApplicationScoped
public class Deliveries {

    static final String PENDING = "pending";
    static final String SUCCEEDED = "succeeded";
    static final String FAILED = "failed";

    /** Which replica holds a lease (process id and host), for whoever looks at a delivery in flight. */
    private static final String REPLICA = ProcessHandle.current().pid() + "@"
            + java.util.Objects.requireNonNullElse(System.getenv("HOSTNAME"), "localhost");

    private final Pool pool;

    Deliveries(Pool pool) {
        this.pool = pool;
    }

    /** A delivery a replica holds the lease of. */
    record Claimed(UUID id, UUID ownerId, String url, String body, int attempt, int scheduleIndex, UUID leaseToken,
            String traceParent, UUID runId) {
    }

    /** How an attempt ended. */
    record Attempt(int attempt, OffsetDateTime at, Integer statusCode, int latencyMs, String error,
            String responseExcerpt) {
    }

    /** Whether a run event calls back: every end of a run; a native run's pauses (approval, connection) too. */
    public static boolean notifies(RunEvent event, DeliverySurface surface) {
        return event.type().isTerminal() || (surface == DeliverySurface.NATIVE
                && (event.type() == RunEventType.RUN_PAUSED || event.type() == RunEventType.RUN_APPROVAL_REQUESTED));
    }

    /** Whether a run event may call back, for a run of some surface. */
    public static boolean mayNotify(RunEvent event) {
        return notifies(event, DeliverySurface.NATIVE);
    }

    /**
     * A callback to enqueue: the event of a run, the run's callback URL, and the body as the run's surface shows it.
     */
    public record NewDelivery(UUID ownerId, UUID runId, long runSeq, String eventType, String url, String body,
            String traceParent) {
    }

    /**
     * Enqueues callbacks inside the transaction of the events that cause them; a replayed event enqueues nothing
     * ((run_id, run_seq) is unique).
     *
     * @return whether anything may have been enqueued
     */
    public Uni<Boolean> enqueue(SqlConnection conn, List<NewDelivery> due) {
        if (due.isEmpty()) {
            return Uni.createFrom().item(false);
        }
        List<Tuple> inserts = new ArrayList<>(due.size());
        for (NewDelivery d : due) {
            inserts.add(Tuple.from(new Object[] { deliveryId(d.runId(), d.runSeq()), d.ownerId(), d.runId(), d.runSeq(),
                    d.eventType(), d.url(), d.body(), d.traceParent() }));
        }
        return conn.preparedQuery("""
                insert into api.deliveries (id, owner_id, run_id, run_seq, event_type, url, body, state,
                                            next_attempt_at, created_at, updated_at, trace_parent)
                values ($1, $2, $3, $4, $5, $6, $7, 'pending', now(), now(), now(), $8)
                on conflict (run_id, run_seq) do nothing""").executeBatch(inserts).replaceWith(true);
    }

    /**
     * The id of the callback of a run's event, which is its {@code webhook-id}: the same whenever the event is stored,
     * so a delivery enqueued again after PostgreSQL lost an unflushed commit (ADR 0009) reaches the receiver with the
     * id it may already have seen.
     */
    static UUID deliveryId(UUID runId, long runSeq) {
        return UUID.nameUUIDFromBytes((runId + "/" + runSeq).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Leases up to {@code limit} due deliveries for this replica. A delivery waits while an earlier one of its run is
     * pending, so a run's callbacks arrive in event order; rows another replica is claiming are skipped.
     */
    Uni<List<Claimed>> claim(int limit, long leaseMillis) {
        UUID token = UUID.randomUUID();
        return pool.preparedQuery("""
                with due as (
                    select d.id from api.deliveries d
                    where d.state = 'pending' and d.next_attempt_at <= now()
                      and (d.lease_until is null or d.lease_until < now())
                      and not exists (select 1 from api.deliveries e
                                      where e.run_id = d.run_id and e.run_seq < d.run_seq and e.state = 'pending')
                    order by d.next_attempt_at
                    limit $1
                    for update skip locked)
                update api.deliveries d
                set lease_until = now() + make_interval(secs => $2::float8 / 1000), lease_token = $3,
                    leased_by = $4, attempts = d.attempts + 1
                from due where d.id = due.id
                returning d.id, d.owner_id, d.url, d.body, d.attempts, d.schedule_from, d.trace_parent, d.run_id""")
                .execute(Tuple.of(limit, leaseMillis, token, REPLICA)).map(rows -> {
                    List<Claimed> claimed = new ArrayList<>();
                    rows.forEach(row -> claimed.add(new Claimed(row.getUUID(0), row.getUUID(1), row.getString(2),
                            row.getString(3), row.getInteger(4), row.getInteger(4) - row.getInteger(5) - 1, token,
                            row.getString(6), row.getUUID(7))));
                    return claimed;
                });
    }

    /**
     * An attempt and the delivery's new state.
     *
     * @param nextAttemptAt
     *            when the delivery is due again (state stays pending), or null when it ended
     */
    record Outcome(Claimed delivery, Attempt attempt, String state, OffsetDateTime nextAttemptAt) {
    }

    /**
     * Records attempts and the new states, one statement each, sent together; a replica whose lease was taken over
     * records nothing of the state.
     */
    Uni<Void> record(List<Outcome> outcomes) {
        List<Tuple> rows = outcomes.stream()
                .map(o -> Tuple.from(new Object[] { o.delivery().id(), o.attempt().attempt(), o.attempt().at(),
                        o.attempt().statusCode(), o.attempt().latencyMs(), o.attempt().error(),
                        o.attempt().responseExcerpt(), o.state(), o.nextAttemptAt(), o.delivery().leaseToken() }))
                .toList();
        return pool.preparedQuery("""
                with attempt as (
                    insert into api.delivery_attempts (delivery_id, attempt, at, status_code, latency_ms, error,
                                                       response_excerpt)
                    values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing)
                update api.deliveries set state = $8, next_attempt_at = coalesce($9, next_attempt_at),
                       lease_until = null, lease_token = null, updated_at = now()
                where id = $1 and lease_token = $10""").executeBatch(rows).replaceWithVoid();
    }

    /** A delivery as stored, without its body. */
    record Delivery(UUID id, UUID runId, long runSeq, String eventType, String url, String state, int attempts,
            OffsetDateTime nextAttemptAt, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    }

    private static Delivery delivery(Row row) {
        return new Delivery(row.getUUID("id"), row.getUUID("run_id"), row.getLong("run_seq"),
                row.getString("event_type"), row.getString("url"), row.getString("state"), row.getInteger("attempts"),
                row.getOffsetDateTime("next_attempt_at"), row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("updated_at"));
    }

    /** A page of the owner's deliveries, newest first, optionally of one run. */
    Uni<List<Delivery>> list(UUID ownerId, UUID runId, int page, int pageSize) {
        String filter = runId == null ? "" : " and run_id = $4";
        Tuple params = Tuple.of(ownerId, pageSize, (page - 1) * pageSize);
        if (runId != null) {
            params.addUUID(runId);
        }
        return pool.preparedQuery("select * from api.deliveries where owner_id = $1" + filter
                + " order by created_at desc, id desc limit $2 offset $3").execute(params).map(rows -> {
                    List<Delivery> list = new ArrayList<>();
                    rows.forEach(row -> list.add(delivery(row)));
                    return list;
                });
    }

    /** The owner's delivery, or null. */
    Uni<Delivery> find(UUID ownerId, UUID id) {
        return pool.preparedQuery("select * from api.deliveries where id = $1 and owner_id = $2")
                .execute(Tuple.of(id, ownerId)).map(rows -> rows.size() == 0 ? null : delivery(rows.iterator().next()));
    }

    /** A delivery's attempts in order. */
    Uni<List<Attempt>> attempts(UUID id) {
        return pool.preparedQuery("""
                select attempt, at, status_code, latency_ms, error, response_excerpt from api.delivery_attempts
                where delivery_id = $1 order by attempt""").execute(Tuple.of(id)).map(rows -> {
            List<Attempt> list = new ArrayList<>();
            rows.forEach(row -> list.add(new Attempt(row.getInteger(0), row.getOffsetDateTime(1), row.getInteger(2),
                    row.getInteger(3), row.getString(4), row.getString(5))));
            return list;
        });
    }

    /** Most deliveries one recovery makes due again. */
    static final int MAX_RECOVERED = 10_000;

    /**
     * Makes the owner's failed deliveries created since a time due again now (after a receiver's outage), each with a
     * fresh schedule; at most {@link #MAX_RECOVERED}, oldest first.
     *
     * @return how many
     */
    Uni<Integer> recover(UUID ownerId, OffsetDateTime since) {
        return pool.preparedQuery("""
                update api.deliveries set state = 'pending', next_attempt_at = now(), schedule_from = attempts,
                       lease_until = null, lease_token = null, updated_at = now()
                where id in (select id from api.deliveries
                             where owner_id = $1 and state = 'failed' and created_at >= $2
                             order by created_at limit $3)""").execute(Tuple.of(ownerId, since, MAX_RECOVERED))
                .map(rows -> rows.rowCount());
    }

    /**
     * Makes a finished delivery due again now, with a fresh schedule.
     *
     * @return false when it is still pending (or not the owner's)
     */
    Uni<Boolean> redeliver(UUID ownerId, UUID id) {
        return pool.preparedQuery("""
                update api.deliveries set state = 'pending', next_attempt_at = now(), schedule_from = attempts,
                       lease_until = null, lease_token = null, updated_at = now()
                where id = $1 and owner_id = $2 and state <> 'pending'""").execute(Tuple.of(id, ownerId))
                .map(rows -> rows.rowCount() == 1);
    }
}

package dev.runwire.api.run;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.auth.Principal;
import dev.runwire.api.billing.TaskLedger;
import dev.runwire.api.callback.Deliveries;
import dev.runwire.api.callback.DeliverySurface;
import dev.runwire.api.error.ApiException;
import dev.runwire.api.idempotency.Idempotency;
import dev.runwire.api.overload.KafkaProbe;
import dev.runwire.model.Topics;
import dev.runwire.model.command.AuthRequiredExpired;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;

/**
 * Runs, their events and the outbox, in SQL on the reactive PostgreSQL client: these are the hot path, written in as
 * few statements and transactions as possible.
 */
@ApplicationScoped
public class RunStore {

    /** The statuses a run ends in, bound as a parameter (never spelled in SQL). */
    private static final String[] TERMINAL = Arrays.stream(RunStatus.values()).filter(RunStatus::isTerminal)
            .map(Enum::name).toArray(String[]::new);
    /** The statuses of a run not ended yet. */
    private static final String[] ACTIVE = Arrays.stream(RunStatus.values()).filter(s -> !s.isTerminal())
            .map(Enum::name).toArray(String[]::new);

    private final Pool pool;
    private final Deliveries deliveries;
    private final KafkaProbe kafka;

    RunStore(Pool pool, Deliveries deliveries, KafkaProbe kafka) {
        this.pool = pool;
        this.deliveries = deliveries;
        this.kafka = kafka;
    }

    /** A new run as stored. The action columns are set for single action runs only. */
    public record NewRun(UUID id, UUID ownerId, String userId, UUID actionId, String actionKey, Integer actionVersion,
            String intent, String context, String repeatKey, UUID repeatRunId, UUID executionPlanId, Object plan,
            String approvalStrategy, List<String> integrationKeys, OffsetDateTime createdAt, Delivery delivery,
            Billing billing, List<String> awaitingConnections, Idempotency.Claim claim) {
    }

    /** Whether the run consumes a task when it succeeds, and the billing claim recorded with the charge. */
    public record Billing(boolean billable, JsonNode details) {
        public static Billing of(Principal principal) {
            return new Billing(principal.billable(), principal.billing());
        }
    }

    /**
     * Where a run's callbacks go and whose read shape they take.
     *
     * @param callbackUrl
     *            null for no callbacks
     * @param surface
     *            whose read shape the callbacks take
     * @param storedActionId
     *            the stored action a Zapier stored-action run ran
     */
    public record Delivery(String callbackUrl, DeliverySurface surface, UUID storedActionId) {

        public static final Delivery NATIVE = new Delivery(null, DeliverySurface.NATIVE, null);

        public static Delivery nativeTo(String callbackUrl) {
            return new Delivery(callbackUrl, DeliverySurface.NATIVE, null);
        }
    }

    /**
     * Writes the run and its command in one transaction: the command is published only if the run exists, and a run
     * that exists always gets its command published (by the caller, or the relay). A billable run takes one task from
     * the owner's balance in the same statement; with none left, nothing is written and the answer is 402. While Kafka
     * does not answer, nothing is written and the answer is 503. A run under an idempotency key is bound to the
     * request's claim in the same statement, and only while the request still holds it: a request whose claim was taken
     * over writes nothing ({@link Idempotency.ClaimLost}), so a key never gets a second run.
     *
     * @return the outbox row id
     */
    public Uni<Long> insertWithCommand(NewRun run, Object command, String commandType) {
        if (!kafka.up()) {
            return Uni.createFrom().failure(KafkaProbe.unavailable());
        }
        // one statement, so one round trip and atomic without an explicit transaction
        return pool.preparedQuery("""
                with claim as (
                    update api.idempotency_keys set run_id = $1
                    where owner_id = $2 and key = $25 and claim_id = $26 and status is null and run_id is null
                    returning 1),
                claimed as (select $25::text is null or exists (select 1 from claim) as ok),
                hold as (
                    update api.owners set task_balance = task_balance - 1
                    where id = $2 and $22 and task_balance > 0 and (select ok from claimed)
                    returning task_balance),
                run as (
                    insert into api.runs (id, owner_id, user_id, action_id, action_key, action_version, intent, context,
                                          repeat_key, repeat_run_id, execution_plan_id, plan, approval_strategy,
                                          integration_keys, status, created_at, updated_at, callback_url, surface,
                                          stored_action_id, billable, awaiting_connections)
                    select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text::jsonb, $13, $14, 'QUEUED', $15, $15,
                           $19, $20, $21, $22, $24
                    where (not $22 or exists (select 1 from hold)) and (select ok from claimed)
                    returning id),
                charge as (
                    insert into api.task_ledger (owner_id, run_id, kind, tasks, balance_after, details)
                    select $2, run.id, 'charge', -1, hold.task_balance, $23::text::jsonb from run, hold),
                outbox as (
                    insert into api.outbox (run_id, topic, msg_type, payload)
                    select id, $16, $17, $18::text::jsonb from run
                    returning id)
                select (select id from outbox), (select ok from claimed)""")
                .execute(Tuple.from(new Object[] { run.id(), run.ownerId(), run.userId(), run.actionId(),
                        run.actionKey(), run.actionVersion(), run.intent(), run.context(), run.repeatKey(),
                        run.repeatRunId(), run.executionPlanId(), Json.write(run.plan()), run.approvalStrategy(),
                        run.integrationKeys().toArray(String[]::new), run.createdAt(), Topics.RUN_COMMANDS, commandType,
                        Json.write(command), run.delivery().callbackUrl(), run.delivery().surface().column(),
                        run.delivery().storedActionId(), run.billing().billable(),
                        run.billing().details() == null ? null : Json.write(run.billing().details()),
                        run.awaitingConnections().toArray(String[]::new), run.claim().key(), run.claim().id() }))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    if (!row.getBoolean(1)) {
                        throw new Idempotency.ClaimLost();
                    }
                    if (row.getLong(0) == null) {
                        throw ApiException.paymentRequired();
                    }
                    return row.getLong(0);
                });
    }

    /** The run's last stored event if it ended the run, else null (the read model may not have it yet). */
    public Uni<RunEvent> storedEnd(UUID runId) {
        return pool
                .preparedQuery("select payload::text from api.run_events where run_id = $1 order by seq desc limit 1")
                .execute(Tuple.of(runId)).map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    RunEvent last = Json.read(rows.iterator().next().getString(0), RunEvent.class);
                    return last.type().isTerminal() ? last : null;
                });
    }

    /**
     * Claims up to {@code limit} runs that have waited in AUTH_REQUIRED longer than {@code timeout} and records an
     * {@link AuthRequiredExpired} command for each in the outbox, in one transaction (a run is claimed once, by one
     * replica, until it leaves AUTH_REQUIRED).
     *
     * @return the commands with their outbox ids
     */
    public Uni<List<Map.Entry<AuthRequiredExpired, Long>>> expireAuthRequired(java.time.Duration timeout, int limit) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                update api.runs set auth_expiry_sent = true
                where id in (select id from api.runs
                             -- spelled out, not bound: the partial index runs_auth_required matches only this literal
                             where status = 'AUTH_REQUIRED' and not auth_expiry_sent
                               and updated_at < now() - make_interval(secs => $1)
                             order by updated_at limit $2 for update skip locked)
                returning id, owner_id, updated_at""").execute(Tuple.of((double) timeout.toMillis() / 1000, limit))
                .chain(rows -> {
                    List<AuthRequiredExpired> commands = new ArrayList<>();
                    rows.forEach(row -> commands.add(new AuthRequiredExpired(row.getUUID(0), row.getUUID(1),
                            row.getOffsetDateTime(2).toInstant())));
                    return Multi.createFrom().iterable(commands).onItem()
                            .transformToUniAndConcatenate(command -> conn.preparedQuery("""
                                    insert into api.outbox (run_id, topic, msg_type, payload)
                                    values ($1, $2, $3, $4::text::jsonb) returning id""")
                                    .execute(Tuple.of(command.runId(), Topics.RUN_COMMANDS, AuthRequiredExpired.TYPE,
                                            Json.write(command)))
                                    .map(ids -> Map.entry(command, ids.iterator().next().getLong(0))))
                            .collect().asList();
                }));
    }

    /**
     * The event with which a step of an unfinished run started waiting for its result, if it still waits: null when the
     * run ended, the step never waited, or an event about the step came after (it has its result).
     */
    Uni<RunEvent> awaitingResult(UUID runId, String stepId) {
        return pool.preparedQuery("""
                select e.payload::text from api.run_events e join api.runs r on r.id = e.run_id
                where e.run_id = $1 and e.payload ->> 'stepId' = $2
                  and r.status <> all($3)
                order by e.seq desc limit 1""").execute(Tuple.of(runId, stepId, TERMINAL)).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            RunEvent last = Json.read(rows.iterator().next().getString(0), RunEvent.class);
            return last.type() == RunEventType.STEP_AWAITING_RESULT ? last : null;
        });
    }

    /** A run's owner and user. */
    public record Waiting(UUID ownerId, String userId) {
    }

    /** Adds the integration to those the run waits for; null when the run is unknown. */
    public Uni<Waiting> awaitConnection(UUID runId, String integrationKey) {
        return pool.preparedQuery("""
                update api.runs set awaiting_connections = case when awaiting_connections @> array[$2]::text[]
                       then awaiting_connections else array_append(awaiting_connections, $2) end
                where id = $1 returning owner_id, user_id""").execute(Tuple.of(runId, integrationKey))
                .map(rows -> rows.size() == 0 ? null
                        : new Waiting(rows.iterator().next().getUUID(0), rows.iterator().next().getString(1)));
    }

    /** The runs of a user not ended yet that wait for a connection to the integration. */
    public Uni<List<UUID>> awaitingConnection(UUID ownerId, String userId, String integrationKey) {
        return pool.preparedQuery("""
                select id from api.runs
                where owner_id = $1 and user_id = $2 and awaiting_connections @> array[$3]::text[]
                  and status = any($4)""").execute(Tuple.of(ownerId, userId, integrationKey, ACTIVE)).map(rows -> {
            List<UUID> ids = new ArrayList<>();
            rows.forEach(row -> ids.add(row.getUUID(0)));
            return ids;
        });
    }

    /** The first run of the owner that holds the repeat key, or null. */
    Uni<Row> findByRepeatKey(UUID ownerId, String repeatKey) {
        return pool.preparedQuery("""
                select id, execution_plan_id, plan::text as plan_json from api.runs
                where owner_id = $1 and repeat_key = $2 order by created_at, id limit 1""")
                .execute(Tuple.of(ownerId, repeatKey)).map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** The run, if it belongs to the owner. */
    public Uni<Row> findRun(UUID ownerId, UUID runId) {
        return pool.preparedQuery(
                "select *, result::text as result_json, error::text as error_json, plan::text as plan_json from api.runs where id = $1 and owner_id = $2")
                .execute(Tuple.of(runId, ownerId)).map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** A page of the owner's runs, newest first; the filters that are set narrow it. */
    record ListQuery(UUID ownerId, String userId, String status, List<String> integrationKeys, int page, int pageSize) {
    }

    /** A page of runs; only the filters given are in the statement, so each shape gets its index. */
    Uni<List<Row>> list(ListQuery query) {
        StringBuilder sql = new StringBuilder(
                "select *, result::text as result_json, error::text as error_json from api.runs where owner_id = $1");
        List<Object> params = new ArrayList<>();
        params.add(query.ownerId());
        if (query.userId() != null) {
            params.add(query.userId());
            sql.append(" and user_id = $").append(params.size());
        }
        if (query.status() != null) {
            params.add(query.status());
            sql.append(" and status = $").append(params.size());
        }
        if (!query.integrationKeys().isEmpty()) {
            params.add(query.integrationKeys().toArray(String[]::new));
            sql.append(" and integration_keys && $").append(params.size()).append("::text[]");
        }
        params.add(query.pageSize());
        sql.append(" order by created_at desc, id desc limit $").append(params.size());
        params.add((query.page() - 1) * query.pageSize());
        sql.append(" offset $").append(params.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(rows -> {
            List<Row> page = new ArrayList<>();
            rows.forEach(page::add);
            return page;
        });
    }

    /** The events of several runs, each run's in order. */
    Uni<Map<UUID, List<Object>>> events(List<UUID> runIds) {
        if (runIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return pool
                .preparedQuery(
                        "select run_id, payload::text from api.run_events where run_id = any($1) order by run_id, seq")
                .execute(Tuple.of(runIds.toArray(UUID[]::new))).map(rows -> {
                    Map<UUID, List<Object>> byRun = new HashMap<>();
                    rows.forEach(row -> byRun.computeIfAbsent(row.getUUID(0), id -> new ArrayList<>())
                            .add(Json.tree(row.getString(1))));
                    return byRun;
                });
    }

    /** A run's events after a sequence number, in order. */
    public Uni<List<RunEvent>> eventsAfter(UUID runId, long afterSeq) {
        return pool
                .preparedQuery("select payload::text from api.run_events where run_id = $1 and seq > $2 order by seq")
                .execute(Tuple.of(runId, afterSeq)).map(rows -> {
                    List<RunEvent> events = new ArrayList<>();
                    rows.forEach(row -> events.add(Json.read(row.getString(0), RunEvent.class)));
                    return events;
                });
    }

    /** A run's events in order, as stored JSON. */
    Uni<List<Object>> events(UUID runId) {
        return pool.preparedQuery("select payload::text from api.run_events where run_id = $1 order by seq")
                .execute(Tuple.of(runId)).map(rows -> {
                    List<Object> events = new ArrayList<>();
                    rows.forEach(row -> events.add(Json.tree(row.getString(0))));
                    return events;
                });
    }

    /**
     * Stores a batch of events in one transaction. A replayed event is a no-op ((run_id, seq) is unique), a run's row
     * only moves forward (its last applied sequence guards the update), and an event of a run this store does not know
     * is dropped instead of stopping the consumer. The callbacks the events cause are enqueued in the same transaction,
     * each with the run as its surface shows it ({@code render}).
     *
     * @return whether callbacks may have been enqueued
     */
    public Uni<Boolean> storeEvents(List<RunEvent> events, Function<Row, String> render) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(false);
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
        return pool.withTransaction(conn -> conn.preparedQuery("""
                insert into api.run_events (run_id, seq, event_id, type, payload, at)
                select $1, $2, $3, $4, $5::text::jsonb, $6 where exists (select 1 from api.runs where id = $1)
                on conflict do nothing""").executeBatch(inserts).chain(() -> conn.preparedQuery("""
                update api.runs set status = $2, result = coalesce($3::text::jsonb, result),
                       error = coalesce($4::text::jsonb, error), last_seq = $5, updated_at = $6,
                       auth_expiry_sent = auth_expiry_sent and $2 = 'AUTH_REQUIRED'
                where id = $1 and last_seq < $5""").executeBatch(updates)).chain(() -> TaskLedger.refund(conn, events))
                .chain(() -> deliveries.enqueue(conn, events, render)));
    }
}

package dev.runwire.api.run;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.Topics;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;

/**
 * Runs, their events and the outbox, in SQL on the reactive PostgreSQL client: these are the hot path, written in as
 * few statements and transactions as possible.
 */
@ApplicationScoped
public class RunStore {

    private final Pool pool;

    RunStore(Pool pool) {
        this.pool = pool;
    }

    /** A new run as stored. */
    record NewRun(UUID id, UUID ownerId, String userId, UUID actionId, String actionKey, int actionVersion,
            String intent, String repeatKey, UUID executionPlanId, Object plan, OffsetDateTime createdAt) {
    }

    /**
     * Writes the run and its command in one transaction: the command is published only if the run exists, and a run
     * that exists always gets its command published (by the caller, or the relay).
     *
     * @return the outbox row id
     */
    Uni<Long> insertWithCommand(NewRun run, Object command, String commandType) {
        // one statement, so one round trip and atomic without an explicit transaction
        return pool
                .preparedQuery(
                        """
                                with run as (
                                    insert into api.runs (id, owner_id, user_id, action_id, action_key, action_version, intent, repeat_key,
                                                          execution_plan_id, plan, status, created_at, updated_at)
                                    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb, 'QUEUED', $11, $11)
                                    returning id)
                                insert into api.outbox (run_id, topic, msg_type, payload)
                                select id, $12, $13, $14::text::jsonb from run
                                returning id""")
                .execute(Tuple.from(new Object[] { run.id(), run.ownerId(), run.userId(), run.actionId(),
                        run.actionKey(), run.actionVersion(), run.intent(), run.repeatKey(), run.executionPlanId(),
                        Json.write(run.plan()), run.createdAt(), Topics.RUN_COMMANDS, commandType,
                        Json.write(command) }))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    Uni<Void> deleteOutbox(long id) {
        return pool.preparedQuery("delete from api.outbox where id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }

    /** The run, if it belongs to the owner. */
    Uni<Row> findRun(UUID ownerId, UUID runId) {
        return pool.preparedQuery(
                "select *, result::text as result_json, error::text as error_json from api.runs where id = $1 and owner_id = $2")
                .execute(Tuple.of(runId, ownerId)).map(rows -> rows.size() == 0 ? null : rows.iterator().next());
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
     * is dropped instead of stopping the consumer.
     */
    Uni<Void> storeEvents(List<RunEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
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
            boolean success = event.type() == RunEventType.RUN_SUCCEEDED;
            boolean failure = event.type() == RunEventType.RUN_FAILED;
            updates.add(Tuple.from(new Object[] { event.runId(), event.status().name(),
                    success ? Json.write(event.output()) : null, failure ? Json.write(event.error()) : null,
                    event.seq(), event.at().atOffset(ZoneOffset.UTC) }));
        }
        return pool.withTransaction(conn -> conn.preparedQuery("""
                insert into api.run_events (run_id, seq, event_id, type, payload, at)
                select $1, $2, $3, $4, $5::text::jsonb, $6 where exists (select 1 from api.runs where id = $1)
                on conflict do nothing""").executeBatch(inserts).chain(() -> conn.preparedQuery("""
                update api.runs set status = $2, result = coalesce($3::text::jsonb, result),
                       error = coalesce($4::text::jsonb, error), last_seq = $5, updated_at = $6
                where id = $1 and last_seq < $5""").executeBatch(updates))).replaceWithVoid();
    }

    /** Outbox rows older than the given age, locked for this relay pass (other replicas skip them). */
    Uni<Void> relayStale(long olderThanMillis, java.util.function.BiFunction<String, String, Uni<Void>> publish) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                select id, msg_type, payload::text from api.outbox
                where created_at < now() - make_interval(secs => $1::float8 / 1000)
                order by id limit 200 for update skip locked""").execute(Tuple.of(olderThanMillis)).chain(rows -> {
            List<Long> ids = new ArrayList<>();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Row row : rows) {
                ids.add(row.getLong(0));
                String type = row.getString(1);
                String payload = row.getString(2);
                chain = chain.chain(() -> publish.apply(type, payload));
            }
            if (ids.isEmpty()) {
                return chain;
            }
            return chain.chain(() -> conn.preparedQuery("delete from api.outbox where id = any($1)")
                    .execute(Tuple.of(ids.toArray(Long[]::new))).replaceWithVoid());
        }));
    }
}

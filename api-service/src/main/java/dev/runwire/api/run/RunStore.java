package dev.runwire.api.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.auth.Principal;
import dev.runwire.api.callback.DeliverySurface;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;

/**
 * Reading runs and their events, in SQL on the reactive PostgreSQL client; hands out {@link RunRecord}s and events. The
 * writes are elsewhere: accepting a run ({@link RunAcceptanceStore}), the read model ({@link RunEventStore}), runs
 * waiting for a connection ({@link ConnectionWaitStore}). {@link Delivery} and {@link Billing} are what a surface gives
 * the acceptor about a new run.
 */
@ApplicationScoped
public class RunStore {

    /** A run's columns as {@link #record} reads them (its JSON columns as text). */
    static final String RUN_COLUMNS = "*, result::text as result_json, error::text as error_json";

    private final Pool pool;

    RunStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * The run of a row selected with {@link #RUN_COLUMNS} (and {@code plan::text as plan_json} where the plan is
     * wanted): the one place that knows the names of {@code api.runs}' columns.
     */
    static RunRecord record(Row row) {
        return new RunRecord(row.getUUID("id"), row.getUUID("owner_id"), row.getString("user_id"),
                row.getUUID("action_id"), row.getString("action_key"), row.getInteger("action_version"),
                row.getString("intent"), row.getString("context"), row.getString("repeat_key"),
                row.getUUID("repeat_run_id"), row.getUUID("execution_plan_id"),
                RunStatus.valueOf(row.getString("status")), row.getString("result_json"), row.getString("error_json"),
                row.getColumnIndex("plan_json") < 0 ? null : row.getString("plan_json"), row.getString("callback_url"),
                DeliverySurface.of(row.getString("surface")), row.getUUID("stored_action_id"),
                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
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

    /** Whether the read model has the run's end: its row is in a terminal status. */
    public Uni<Boolean> endStored(UUID runId) {
        return pool.preparedQuery("select status = any($2) from api.runs where id = $1")
                .execute(Tuple.of(runId, RunStatuses.TERMINAL))
                .map(rows -> rows.size() > 0 && Boolean.TRUE.equals(rows.iterator().next().getBoolean(0)));
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
                order by e.seq desc limit 1""").execute(Tuple.of(runId, stepId, RunStatuses.TERMINAL)).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            RunEvent last = Json.read(rows.iterator().next().getString(0), RunEvent.class);
            return last.type() == RunEventType.STEP_AWAITING_RESULT ? last : null;
        });
    }

    /** The owner's first run that holds the repeat key, with its plan, or null. */
    Uni<RunRecord> firstWithRepeatKey(UUID ownerId, String repeatKey) {
        return pool.preparedQuery("select " + RUN_COLUMNS + """
                , plan::text as plan_json from api.runs
                where owner_id = $1 and repeat_key = $2 order by created_at, id limit 1""")
                .execute(Tuple.of(ownerId, repeatKey))
                .map(rows -> rows.size() == 0 ? null : record(rows.iterator().next()));
    }

    /** The run with its plan, if it belongs to the owner. */
    public Uni<RunRecord> run(UUID ownerId, UUID runId) {
        return pool.preparedQuery(FIND_RUN).execute(Tuple.of(runId, ownerId))
                .map(rows -> rows.size() == 0 ? null : record(rows.iterator().next()));
    }

    private static final String FIND_RUN = "select " + RUN_COLUMNS
            + ", plan::text as plan_json from api.runs where id = $1 and owner_id = $2";

    /** A page of the owner's runs, newest first; the filters that are set narrow it. */
    record ListQuery(UUID ownerId, String userId, RunStatus status, List<String> integrationKeys, int page,
            int pageSize) {
    }

    /** A page of runs; only the filters given are in the statement, so each shape gets its index. */
    Uni<List<RunRecord>> list(ListQuery query) {
        StringBuilder sql = new StringBuilder("select " + RUN_COLUMNS + " from api.runs where owner_id = $1");
        List<Object> params = new ArrayList<>();
        params.add(query.ownerId());
        if (query.userId() != null) {
            params.add(query.userId());
            sql.append(" and user_id = $").append(params.size());
        }
        if (query.status() != null) {
            params.add(query.status().name());
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
            List<RunRecord> page = new ArrayList<>();
            rows.forEach(row -> page.add(record(row)));
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
}

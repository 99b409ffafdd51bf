package dev.runwire.api.run;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.outbox.OutboxCommand;
import dev.runwire.api.outbox.OutboxStore;
import dev.runwire.model.Topics;
import dev.runwire.model.command.OutcomeResolved;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.json.Json;

/**
 * Steps whose call's outcome is unknown, in SQL: which of a run's steps wait for a resolution (their
 * {@code STEP_OUTCOME_UNKNOWN} event, the run not ended, no resolution yet), and the one resolution each gets, written
 * with its command in one statement (ADR 0035).
 */
@ApplicationScoped
public class OutcomeResolutionStore {

    private static final String WAITING = """
            select e.payload::text from api.run_events e join api.runs r on r.id = e.run_id
            where e.run_id = $1 and e.type = 'STEP_OUTCOME_UNKNOWN' and r.status <> all($2)
              and not exists (select 1 from api.outcome_resolutions o
                              where o.run_id = e.run_id and o.step_id = e.payload ->> 'stepId')
            order by e.seq""";

    private final Pool pool;

    OutcomeResolutionStore(Pool pool) {
        this.pool = pool;
    }

    /** The {@code STEP_OUTCOME_UNKNOWN} events of the run's steps that still wait for a resolution, in order. */
    Uni<List<RunEvent>> waiting(UUID runId) {
        return pool.preparedQuery(WAITING).execute(Tuple.of(runId, RunStatuses.TERMINAL)).map(rows -> {
            List<RunEvent> events = new ArrayList<>();
            rows.forEach(row -> events.add(Json.read(row.getString(0), RunEvent.class)));
            return events;
        });
    }

    /**
     * Records the step's resolution and its command in the outbox, in one statement.
     *
     * @return the outbox id, or null when the step was resolved already (by anybody, on any replica)
     */
    Uni<Long> insert(OutcomeResolved resolution, OutboxCommand command) {
        return pool.preparedQuery("""
                with resolved as (
                    insert into api.outcome_resolutions (run_id, step_id, outcome, resolved_at)
                    values ($1, $2, $3, $4)
                    on conflict do nothing
                    returning run_id)
                insert into api.outbox (run_id, topic, msg_type, payload, trace_parent)
                select run_id, $5, $6, $7::text::jsonb, $8 from resolved
                returning id""")
                .execute(Tuple.from(new Object[] { resolution.runId(), resolution.stepId(), resolution.outcome(),
                        resolution.resolvedAt().atOffset(ZoneOffset.UTC), Topics.RUN_COMMANDS, command.type(),
                        command.json(), command.traceParent() }))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
    }

    /**
     * Claims up to {@code limit} steps that have waited for a resolution longer than {@code timeout} and resolves each
     * as expired, with its command in the outbox, in one transaction (a step is resolved once, by the caller or by one
     * replica's sweep).
     *
     * @return the commands with their outbox ids
     */
    public Uni<List<Map.Entry<OutboxCommand, Long>>> expire(Duration timeout, int limit) {
        Instant now = Instant.now();
        return pool.withTransaction(conn -> conn.preparedQuery("""
                insert into api.outcome_resolutions (run_id, step_id, outcome, resolved_at)
                select e.run_id, e.payload ->> 'stepId', 'expired', $3::timestamptz
                from api.run_events e join api.runs r on r.id = e.run_id
                -- spelled out, not bound: the partial index run_events_outcome_unknown matches only this literal
                where e.type = 'STEP_OUTCOME_UNKNOWN' and e.at < $3::timestamptz - make_interval(secs => $1)
                  and r.status <> all($4)
                  and not exists (select 1 from api.outcome_resolutions o
                                  where o.run_id = e.run_id and o.step_id = e.payload ->> 'stepId')
                order by e.at limit $2
                on conflict do nothing
                returning run_id, step_id, (select owner_id from api.runs where id = run_id)""").execute(
                Tuple.of((double) timeout.toMillis() / 1000, limit, now.atOffset(ZoneOffset.UTC), RunStatuses.TERMINAL))
                .chain(rows -> {
                    List<OutboxCommand> commands = new ArrayList<>();
                    rows.forEach(
                            row -> commands.add(OutboxCommand.of(new OutcomeResolved(row.getUUID(0), row.getUUID(2),
                                    row.getString(1), OutcomeResolved.EXPIRED, null, now), OutcomeResolved.TYPE)));
                    return OutboxStore.insertAll(conn, commands);
                }));
    }
}

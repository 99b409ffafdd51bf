package dev.runwire.executor.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.command.RunRequested;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;

/**
 * The executor's durable record of its runs (schema {@code executor}): every change of a run is one statement that
 * writes the run's state and the events that change produced, so state and events never disagree.
 */
@ApplicationScoped
public class RunStateStore {

    private final Pool pool;

    RunStateStore(Pool pool) {
        this.pool = pool;
    }

    /** A run as stored: its command (null for a run aborted before it arrived), state, status and events. */
    record Stored(RunRequested command, String state, RunStatus status, long nextSeq, List<RunEvent> events) {
    }

    /**
     * Records a new run with its first state and events.
     *
     * @return false when the run was already recorded (a redelivered command); nothing is written then
     */
    Uni<Boolean> create(UUID runId, UUID ownerId, RunRequested command, String state, RunStatus status, long nextSeq,
            List<RunEvent> events) {
        return pool
                .preparedQuery(
                        """
                                with created as (
                                    insert into executor.runs (run_id, owner_id, command, state, status, next_seq, created_at, updated_at)
                                    values ($1, $2, $3::text::jsonb, $4::text::jsonb, $5, $6, now(), now())
                                    on conflict (run_id) do nothing
                                    returning run_id),
                                events as (
                                    insert into executor.events (run_id, seq, payload)
                                    select created.run_id, e.seq, e.payload::jsonb
                                    from created, unnest($7::bigint[], $8::text[]) as e(seq, payload))
                                select count(*) from created""")
                .execute(Tuple.from(new Object[] { runId, ownerId, command == null ? null : Json.write(command), state,
                        status.name(), nextSeq, seqs(events), payloads(events) }))
                .map(rows -> rows.iterator().next().getLong(0) == 1);
    }

    /** Writes the run's new state with the events that led to it. */
    Uni<Void> save(UUID runId, String state, RunStatus status, long nextSeq, List<RunEvent> events) {
        return pool.preparedQuery("""
                with events as (
                    insert into executor.events (run_id, seq, payload)
                    select $1, e.seq, e.payload::jsonb from unnest($5::bigint[], $6::text[]) as e(seq, payload)
                    on conflict do nothing)
                update executor.runs set state = $2::text::jsonb, status = $3, next_seq = $4, updated_at = now()
                where run_id = $1""")
                .execute(Tuple
                        .from(new Object[] { runId, state, status.name(), nextSeq, seqs(events), payloads(events) }))
                .replaceWithVoid();
    }

    /** The run as stored, or null. */
    Uni<Stored> load(UUID runId) {
        return pool.preparedQuery("""
                select r.command::text, r.state::text, r.status, r.next_seq,
                       coalesce(array_agg(e.payload::text order by e.seq) filter (where e.seq is not null), '{}')
                from executor.runs r left join executor.events e on e.run_id = r.run_id
                where r.run_id = $1
                group by r.run_id""").execute(Tuple.of(runId)).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            List<RunEvent> events = new ArrayList<>();
            for (String payload : row.getArrayOfStrings(4)) {
                events.add(Json.read(payload, RunEvent.class));
            }
            String command = row.getString(0);
            return new Stored(command == null ? null : Json.read(command, RunRequested.class), row.getString(1),
                    RunStatus.valueOf(row.getString(2)), row.getLong(3), events);
        });
    }

    /** Forgets finished runs older than the retention; their events are in the read model by then. */
    Uni<Integer> purgeFinished(Duration retention) {
        return pool.preparedQuery("""
                delete from executor.runs
                where status in ('SUCCESS', 'PARTIAL_SUCCESS', 'NO_SUCCESS', 'FAILED', 'CANCELED')
                  and updated_at < now() - make_interval(secs => $1::float8)""")
                .execute(Tuple.of((double) retention.toSeconds())).map(rows -> rows.rowCount());
    }

    private static Long[] seqs(List<RunEvent> events) {
        return events.stream().map(RunEvent::seq).toArray(Long[]::new);
    }

    private static String[] payloads(List<RunEvent> events) {
        return events.stream().map(Json::write).toArray(String[]::new);
    }
}

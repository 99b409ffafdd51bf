package dev.runwire.executor.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.command.RunRequested;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.sql.GroupCommit;

/**
 * The executor's durable record of its runs (schema {@code executor}): every change of a run is one statement that
 * writes the run's state and the events that change produced, so state and events never disagree. Those writes of
 * concurrent runs share transactions ({@link GroupCommit}).
 */
@ApplicationScoped
public class RunStateStore {

    /** The most writes one transaction carries: a bound on a group's statement and on how long it holds its locks. */
    private static final int LARGEST_GROUP = 64;

    private final Pool pool;
    /** The writes on a run's way (its first state, each change): grouped into shared commits under load. */
    private final GroupCommit group;

    RunStateStore(Pool pool, MeterRegistry registry) {
        this.pool = pool;
        this.group = new GroupCommit(pool, LARGEST_GROUP);
        FunctionCounter.builder("runwire.executor.state.commits", group, GroupCommit::groups)
                .description("Transactions that wrote runs' state; under load one serves several runs")
                .register(registry);
        FunctionCounter.builder("runwire.executor.state.writes", group, GroupCommit::writes)
                .description("Writes of runs' state (a run's first state, each change)").register(registry);
    }

    /** A run as stored: its command (null for a run aborted before it arrived), state, status and events. */
    record Stored(RunRequested command, String state, RunStatus status, long nextSeq, List<RunEvent> events) {
    }

    /**
     * Records a new run with its first state and events, held by {@code holder} for {@code lease} with number 1; a run
     * recorded as ended is held by no one.
     *
     * @return false when the run was already recorded (a redelivered command); nothing is written then
     */
    Uni<Boolean> create(UUID runId, UUID ownerId, RunRequested command, String state, RunStatus status, long nextSeq,
            List<SerializedEvent> events, String holder, Duration lease) {
        Object[] values = { runId, ownerId, command == null ? null : Json.write(command), state, status.name(), nextSeq,
                seqs(events), payloads(events), status.isTerminal() ? null : holder, seconds(lease) };
        return group.submit(connection -> connection
                .preparedQuery(
                        """
                                with created as (
                                    insert into executor.runs (run_id, owner_id, command, state, status, next_seq, created_at, updated_at,
                                                               lease_holder, lease_until, epoch)
                                    values ($1, $2, $3::text::jsonb, $4::text::jsonb, $5, $6, now(), now(),
                                            $9, now() + make_interval(secs => $10::float8), 1)
                                    on conflict (run_id) do nothing
                                    returning run_id),
                                events as (
                                    insert into executor.events (run_id, seq, payload)
                                    select created.run_id, e.seq, e.payload::jsonb
                                    from created, unnest($7::bigint[], $8::text[]) as e(seq, payload))
                                select count(*) from created""")
                .execute(Tuple.from(values)).map(rows -> rows.iterator().next().getLong(0) == 1));
    }

    /**
     * Writes the run's new state with the events that led to it, if the run is still at number {@code epoch}: no one
     * took it over since this executor took it. A run that ends is given up (held by no one).
     *
     * @return false when another executor took the run over: nothing was written
     */
    Uni<Boolean> save(UUID runId, String state, RunStatus status, long nextSeq, List<SerializedEvent> events,
            long epoch) {
        Object[] values = { runId, state, status.name(), nextSeq, seqs(events), payloads(events), epoch,
                status.isTerminal() };
        return group.submit(connection -> connection
                .preparedQuery(
                        """
                                with saved as (
                                    update executor.runs set state = $2::text::jsonb, status = $3, next_seq = $4, updated_at = now(),
                                        lease_holder = case when $8 then null else lease_holder end
                                    where run_id = $1 and epoch = $7
                                    returning run_id),
                                events as (
                                    insert into executor.events (run_id, seq, payload)
                                    select saved.run_id, e.seq, e.payload::jsonb from saved, unnest($5::bigint[], $6::text[]) as e(seq, payload)
                                    on conflict do nothing)
                                select count(*) from saved""")
                .execute(Tuple.from(values)).map(rows -> rows.iterator().next().getLong(0) == 1));
    }

    /** The outcome of trying to take a run: its new number, or null while another executor holds it. */
    record Taken(Long epoch, boolean exists, String holder) {
    }

    /**
     * Takes the run for {@code holder} if no one holds it, this executor does, or the holder's lease has lapsed; the
     * run's number grows, so writes of whoever held it before change nothing from now on.
     */
    Uni<Taken> take(UUID runId, String holder, Duration lease) {
        return pool.preparedQuery("""
                with taken as (
                    update executor.runs set lease_holder = $2, lease_until = now() + make_interval(secs => $3::float8),
                        epoch = epoch + 1
                    where run_id = $1 and (lease_holder is null or lease_holder = $2 or lease_until < now())
                    returning epoch)
                select (select epoch from taken), r.lease_holder, r.run_id is not null
                from (select 1) one left join executor.runs r on r.run_id = $1""")
                .execute(Tuple.of(runId, holder, seconds(lease))).map(rows -> {
                    Row row = rows.iterator().next();
                    return new Taken(row.getLong(0), row.getBoolean(2), row.getString(1));
                });
    }

    /** Renews the leases of the runs this executor holds; returns the ones it still holds. */
    Uni<Set<UUID>> renew(String holder, List<UUID> runIds, Duration lease) {
        return pool.preparedQuery("""
                update executor.runs set lease_until = now() + make_interval(secs => $3::float8)
                where lease_holder = $1 and run_id = any($2)
                returning run_id""").execute(Tuple.of(holder, runIds.toArray(UUID[]::new), seconds(lease)))
                .map(rows -> {
                    Set<UUID> held = new HashSet<>();
                    rows.forEach(row -> held.add(row.getUUID(0)));
                    return held;
                });
    }

    /**
     * Gives up every run this executor holds (it is stopping, its calls cancelled): another executor takes them over at
     * once instead of when their leases lapse. Their numbers grow, so a write of this executor still on its way changes
     * nothing.
     */
    Uni<Integer> release(String holder) {
        return pool.preparedQuery("""
                update executor.runs set lease_holder = null, lease_until = null, epoch = epoch + 1
                where lease_holder = $1""").execute(Tuple.of(holder)).map(rows -> rows.rowCount());
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
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

    private static Long[] seqs(List<SerializedEvent> events) {
        return events.stream().map(e -> e.event().seq()).toArray(Long[]::new);
    }

    private static String[] payloads(List<SerializedEvent> events) {
        return events.stream().map(SerializedEvent::text).toArray(String[]::new);
    }
}

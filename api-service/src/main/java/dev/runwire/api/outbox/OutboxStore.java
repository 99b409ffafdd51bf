package dev.runwire.api.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.overload.KafkaProbe;
import dev.runwire.model.Topics;

/**
 * The outbox table (ADR 0002): commands written with the change that causes them, deleted once published. A run's
 * acceptance writes its outbox row inside its own statement (the runs' store); every later command about a run is
 * written here.
 */
@ApplicationScoped
public class OutboxStore {

    private final Pool pool;
    private final KafkaProbe kafka;

    OutboxStore(Pool pool, KafkaProbe kafka) {
        this.pool = pool;
        this.kafka = kafka;
    }

    /** Writes a command about an existing run to the outbox. */
    public Uni<Long> insertCommand(OutboxCommand command) {
        if (!kafka.up()) {
            return Uni.createFrom().failure(KafkaProbe.unavailable());
        }
        return pool
                .preparedQuery("""
                        insert into api.outbox (run_id, topic, msg_type, payload, trace_parent)
                        values ($1, $2, $3, $4::text::jsonb, $5) returning id""").execute(Tuple.of(command.runId(),
                        Topics.RUN_COMMANDS, command.type(), command.json(), command.traceParent()))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * Writes commands to the outbox inside the caller's transaction, one after the other; gives each with its row's id,
     * for publishing once the transaction has committed.
     */
    public static Uni<List<Map.Entry<OutboxCommand, Long>>> insertAll(SqlConnection conn,
            List<OutboxCommand> commands) {
        return Multi.createFrom().iterable(commands).onItem()
                .transformToUniAndConcatenate(command -> conn.preparedQuery("""
                        insert into api.outbox (run_id, topic, msg_type, payload, trace_parent)
                        values ($1, $2, $3, $4::text::jsonb, $5) returning id""")
                        .execute(Tuple.of(command.runId(), Topics.RUN_COMMANDS, command.type(), command.json(),
                                command.traceParent()))
                        .map(ids -> Map.entry(command, ids.iterator().next().getLong(0))))
                .collect().asList();
    }

    /**
     * Deletes the rows of commands the broker has: one statement, one commit for all of them, which does not wait for
     * its WAL flush ({@code synchronous_commit} off for this transaction alone). A crash that loses the delete brings
     * the rows back, and the relay publishes those commands again, as it does after a delete that failed; the executor
     * takes a command it has seen as a no-op. docs/adr/0009.
     */
    Uni<Void> deleteOutbox(List<Long> ids) {
        return pool.preparedQuery("""
                with relaxed as (select set_config('synchronous_commit', 'off', true))
                delete from api.outbox where id = any($1) and exists (select 1 from relaxed)""")
                .execute(Tuple.of(ids.toArray(Long[]::new))).replaceWithVoid();
    }

    /** Outbox rows older than the given age, locked for this relay pass (other replicas skip them). */
    Uni<Void> relayStale(long olderThanMillis, java.util.function.Function<OutboxCommand, Uni<Void>> publish) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                select id, run_id, msg_type, payload::text, trace_parent from api.outbox
                where created_at < now() - make_interval(secs => $1::float8 / 1000)
                order by id limit 200 for update skip locked""").execute(Tuple.of(olderThanMillis)).chain(rows -> {
            List<Long> ids = new ArrayList<>();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Row row : rows) {
                ids.add(row.getLong(0));
                OutboxCommand command = new OutboxCommand(row.getUUID(1), row.getString(2), row.getString(3),
                        row.getString(4));
                chain = chain.chain(() -> publish.apply(command));
            }
            if (ids.isEmpty()) {
                return chain;
            }
            return chain.chain(() -> conn.preparedQuery("delete from api.outbox where id = any($1)")
                    .execute(Tuple.of(ids.toArray(Long[]::new))).replaceWithVoid());
        }));
    }
}

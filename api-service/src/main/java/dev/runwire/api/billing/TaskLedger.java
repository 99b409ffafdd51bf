package dev.runwire.api.billing;

import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;

/**
 * The task ledger's part in a run's own statements: a billable run's task is taken in the statement that accepts it
 * (the {@code hold} and {@code charge} parts of {@code RunStore.insertWithCommand}, which must stay one statement, ADR
 * 0002) and given back here, in the transaction that stores the run's events. See docs/adr/0019-billing.md.
 */
public final class TaskLedger {

    private TaskLedger() {
    }

    /**
     * Gives back the task a billable run held when it ends without success; a refund is recorded once per run, so a
     * replayed event gives nothing back twice.
     */
    public static Uni<Void> refund(SqlConnection conn, List<RunEvent> events) {
        List<Tuple> ended = events.stream().filter(e -> e.type().isTerminal() && e.type() != RunEventType.RUN_SUCCEEDED)
                .map(e -> Tuple.of(e.runId())).toList();
        if (ended.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("""
                with back as (
                    update api.owners o set task_balance = o.task_balance + 1
                    from api.runs r
                    where r.id = $1 and r.billable and o.id = r.owner_id
                      and exists (select 1 from api.task_ledger c where c.run_id = r.id and c.kind = 'charge')
                      and not exists (select 1 from api.task_ledger l where l.run_id = r.id and l.kind = 'refund')
                    returning o.id as owner_id, o.task_balance)
                insert into api.task_ledger (owner_id, run_id, kind, tasks, balance_after)
                select owner_id, $1, 'refund', 1, task_balance from back""").executeBatch(ended).replaceWithVoid();
    }
}

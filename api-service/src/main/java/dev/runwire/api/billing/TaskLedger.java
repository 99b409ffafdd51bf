package dev.runwire.api.billing;

import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;

/**
 * The task ledger's part in a run's own statements: a billable run's task is taken in the statement that accepts it
 * ({@link #hold} and {@link #charge} are the parts of that statement billing owns; {@code RunAcceptanceStore} embeds
 * them, as the acceptance must stay one statement, ADR 0002) and given back here ({@link #refund}), in the transaction
 * that stores the run's events. See docs/adr/0019-billing.md.
 */
public final class TaskLedger {

    private TaskLedger() {
    }

    /**
     * The {@code hold} part of a data-modifying statement: takes one task from the owner's balance if the run is
     * billable, the balance is positive and {@code proceed} holds; returns the balance after.
     *
     * @param owner
     *            the owner's id, a parameter such as {@code $2}
     * @param billable
     *            whether the run is billable, a boolean parameter
     * @param proceed
     *            a boolean SQL expression: whether the statement goes on at all
     */
    public static String hold(String owner, String billable, String proceed) {
        return """
                hold as (
                    update api.owners set task_balance = task_balance - 1
                    where id = %1$s and %2$s and task_balance > 0 and %3$s
                    returning task_balance)""".formatted(owner, billable, proceed);
    }

    /**
     * The {@code charge} part of a data-modifying statement: records the task {@link #hold} took against the run the
     * CTE {@code run} inserted (nothing when either is empty).
     *
     * @param owner
     *            the owner's id, a parameter
     * @param details
     *            the billing claim recorded with the charge, a JSON text parameter (or null)
     */
    public static String charge(String owner, String details) {
        return """
                charge as (
                    insert into api.task_ledger (owner_id, run_id, kind, tasks, balance_after, details)
                    select %1$s, run.id, 'charge', -1, hold.task_balance, %2$s::text::jsonb from run, hold)"""
                .formatted(owner, details);
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

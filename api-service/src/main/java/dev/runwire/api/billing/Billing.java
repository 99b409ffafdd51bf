package dev.runwire.api.billing;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.json.Json;

/**
 * Task balances and their ledger. Runs take their task when accepted and give it back when they end without success (in
 * the run's own statements, see TaskLedger); this class credits tasks and reads. See docs/adr/0019-billing.md.
 */
@ApplicationScoped
public class Billing {

    private final Pool pool;

    Billing(Pool pool) {
        this.pool = pool;
    }

    /** One ledger entry: {@code credit}, {@code charge} (a run took a task) or {@code refund} (it gave it back). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(long id, String kind, int tasks, long balanceAfter, UUID runId, JsonNode details,
            OffsetDateTime at) {
    }

    /** An owner's balance (null: API-key requests are not billed) and its latest ledger entries. */
    public record Account(Long balance, List<Entry> ledger) {
    }

    /** Adds tasks to an owner's balance (starting billing at zero if it had none); false when there is no owner. */
    public Uni<Boolean> credit(UUID ownerId, int tasks, String note) {
        return pool.preparedQuery("""
                with credited as (
                    update api.owners set task_balance = coalesce(task_balance, 0) + $2 where id = $1
                    returning task_balance)
                insert into api.task_ledger (owner_id, kind, tasks, balance_after, details)
                select $1, 'credit', $2, task_balance, $3::text::jsonb from credited
                returning id""")
                .execute(Tuple.of(ownerId, tasks, note == null ? null : Json.write(java.util.Map.of("note", note))))
                .map(rows -> rows.size() == 1);
    }

    public Uni<Account> account(UUID ownerId, int limit) {
        return pool.preparedQuery("select task_balance from api.owners where id = $1").execute(Tuple.of(ownerId))
                .chain(owner -> pool.preparedQuery("""
                        select id, kind, tasks, balance_after, run_id, details::text, at from api.task_ledger
                        where owner_id = $1 order by id desc limit $2""").execute(Tuple.of(ownerId, limit))
                        .map(rows -> {
                            List<Entry> ledger = new ArrayList<>();
                            rows.forEach(row -> ledger
                                    .add(new Entry(row.getLong(0), row.getString(1), row.getInteger(2), row.getLong(3),
                                            row.getUUID(4), Json.tree(row.getString(5)), row.getOffsetDateTime(6))));
                            return new Account(owner.iterator().next().getLong(0), ledger);
                        }));
    }
}

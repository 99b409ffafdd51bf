package dev.runwire.api.run;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.billing.TaskLedger;
import dev.runwire.api.error.RunwireException.PaymentRequired;
import dev.runwire.api.idempotency.Idempotency;
import dev.runwire.api.outbox.OutboxCommand;
import dev.runwire.api.overload.KafkaProbe;
import dev.runwire.model.Topics;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.sql.GroupCommit;

/**
 * Accepting a run, in SQL: the one statement that writes a new run with its task charge, its idempotency claim and its
 * command in the outbox (ADR 0002). One statement is one round trip; nothing else belongs here. The statements of
 * concurrent requests share commits ({@link GroupCommit}, docs/adr/0009).
 */
@ApplicationScoped
public class RunAcceptanceStore {

    /**
     * The idempotency claim, billing's hold, the run, billing's charge and the outbox row, as one data-modifying
     * statement; billing's parts come from {@link TaskLedger}. Built once.
     */
    private static final String ACCEPT = """
            with claim as (
                update api.idempotency_keys set run_id = $1
                where owner_id = $2 and key = $25 and claim_id = $26 and status is null and run_id is null
                returning 1),
            claimed as (select $25::text is null or exists (select 1 from claim) as ok),
            """ + TaskLedger.hold("$2", "$22", "(select ok from claimed)") + """
            ,
            run as (
                insert into api.runs (id, owner_id, user_id, action_id, action_key, action_version, intent, context,
                                      repeat_key, repeat_run_id, execution_plan_id, plan, approval_strategy,
                                      integration_keys, status, created_at, updated_at, callback_url, surface,
                                      stored_action_id, billable, awaiting_connections)
                select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text::jsonb, $13, $14, $27, $15, $15,
                       $19, $20, $21, $22, $24
                where (not $22 or exists (select 1 from hold)) and (select ok from claimed)
                returning id),
            """ + TaskLedger.charge("$2", "$23") + """
            ,
            outbox as (
                insert into api.outbox (run_id, topic, msg_type, payload, trace_parent)
                select id, $16, $17, $18::text::jsonb, $28 from run
                returning id)
            select (select id from outbox), (select ok from claimed)""";

    /** The most runs one transaction accepts: a bound on how long a group holds its locks. */
    private static final int LARGEST_GROUP = 64;

    private final GroupCommit group;
    private final KafkaProbe kafka;

    RunAcceptanceStore(Pool pool, KafkaProbe kafka, MeterRegistry registry) {
        this.group = new GroupCommit(pool, LARGEST_GROUP);
        this.kafka = kafka;
        FunctionCounter.builder("runwire.accept.commits", group, GroupCommit::groups)
                .description("Transactions that accepted runs; under load one serves several requests")
                .register(registry);
        FunctionCounter.builder("runwire.accept.writes", group, GroupCommit::writes)
                .description("Runs written by those transactions").register(registry);
    }

    /** A new run as stored. The action columns are set for single action runs only. */
    public record NewRun(UUID id, UUID ownerId, String userId, UUID actionId, String actionKey, Integer actionVersion,
            String intent, String context, String repeatKey, UUID repeatRunId, UUID executionPlanId, Object plan,
            String approvalStrategy, List<String> integrationKeys, OffsetDateTime createdAt, RunStore.Delivery delivery,
            RunStore.Billing billing, List<String> awaitingConnections, Idempotency.Claim claim) {
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
    public Uni<Long> insertWithCommand(NewRun run, OutboxCommand command) {
        if (!kafka.up()) {
            return Uni.createFrom().failure(KafkaProbe.unavailable());
        }
        // one statement, atomic by itself when it goes alone
        return group.submit(connection -> connection.preparedQuery(ACCEPT)
                .execute(Tuple.from(new Object[] { run.id(), run.ownerId(), run.userId(), run.actionId(),
                        run.actionKey(), run.actionVersion(), run.intent(), run.context(), run.repeatKey(),
                        run.repeatRunId(), run.executionPlanId(), Json.write(run.plan()), run.approvalStrategy(),
                        run.integrationKeys().toArray(String[]::new), run.createdAt(), Topics.RUN_COMMANDS,
                        command.type(), command.json(), run.delivery().callbackUrl(), run.delivery().surface().column(),
                        run.delivery().storedActionId(), run.billing().billable(),
                        run.billing().details() == null ? null : Json.write(run.billing().details()),
                        run.awaitingConnections().toArray(String[]::new), run.claim().key(), run.claim().id(),
                        RunStatus.QUEUED.name(), command.traceParent() })))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    if (!row.getBoolean(1)) {
                        throw new Idempotency.ClaimLost();
                    }
                    if (row.getLong(0) == null) {
                        throw new PaymentRequired();
                    }
                    return row.getLong(0);
                });
    }
}

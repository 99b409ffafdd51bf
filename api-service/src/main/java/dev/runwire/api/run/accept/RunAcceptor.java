package dev.runwire.api.run.accept;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.MDC;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.smallrye.mutiny.Uni;

import dev.runwire.api.outbox.CommandPublisher;
import dev.runwire.api.outbox.OutboxCommand;
import dev.runwire.api.run.PassThroughSealer;
import dev.runwire.api.run.RunAcceptanceStore;
import dev.runwire.api.run.RunStore;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.trace.RunTelemetry;

/**
 * The one way a run is accepted, for every surface: the run, its task charge, its idempotency claim and its command are
 * written in one statement (the outbox, ADR 0002), the command is published right after the commit, and a synchronous
 * caller waits for the end through {@link RunWaiter}. Callers have checked the request; nothing here knows a surface.
 */
@ApplicationScoped
public class RunAcceptor {

    private final RunAcceptanceStore store;
    private final CommandPublisher publisher;
    private final PassThroughSealer sealer;
    private final RunWaiter waiter;
    private final Counter accepted;

    RunAcceptor(RunAcceptanceStore store, CommandPublisher publisher, PassThroughSealer sealer, RunWaiter waiter,
            MeterRegistry registry) {
        this.store = store;
        this.publisher = publisher;
        this.sealer = sealer;
        this.waiter = waiter;
        this.accepted = registry.counter("runwire.runs.accepted");
    }

    public Uni<Accepted> accept(AcceptRun run) {
        UUID runId = UUID.randomUUID();
        UUID ownerId = run.who.ownerId();
        // the request's span and the lines it logs from here on name the run (docs/adr/0041)
        Span.current().setAttribute(RunTelemetry.RUN_ID_ATTRIBUTE, runId.toString())
                .setAttribute(RunTelemetry.OWNER_ID_ATTRIBUTE, ownerId.toString());
        MDC.put(RunTelemetry.RUN_ID_MDC, runId.toString());
        MDC.put(RunTelemetry.OWNER_ID_MDC, ownerId.toString());
        RunRequested command = new RunRequested(runId, ownerId, Instant.now(), run.kind, run.steps, run.outputSchema,
                sealer.seal(run.passThrough, runId), "NONE".equals(run.approvalStrategy) ? null : run.approvalStrategy,
                run.missingConnections.isEmpty() ? null
                        : run.missingConnections.stream().map(key -> RunRequested.Connection.missing(key, run.userId))
                                .toList(),
                run.userId,
                // the owner's policy, whatever the surface or the request's strategy (ADR 0035)
                run.who.approveDestructive() && run.steps.stream().anyMatch(s -> s.action().safety().destructive())
                        ? Boolean.TRUE : null);
        RunSubject subject = run.subject;
        RunAcceptanceStore.NewRun row = new RunAcceptanceStore.NewRun(runId, ownerId, run.userId,
                subject == null ? null : subject.actionId(), subject == null ? null : subject.key(),
                subject == null ? null : subject.version(), run.intent, run.context, run.repeatKey, run.repeatRunId,
                run.executionPlanId, run.view, run.approvalStrategy, run.integrationKeys,
                OffsetDateTime.now(ZoneOffset.UTC), run.delivery, RunStore.Billing.of(run.who), run.missingConnections,
                run.claim);
        accepted.increment();
        if (!run.waitForEnd) {
            return write(row, command, run).map(ignored -> new Accepted(runId, null));
        }
        return waiter.writeThenAwait(runId, () -> write(row, command, run))
                .map(terminal -> new Accepted(runId, terminal));
    }

    private Uni<Long> write(RunAcceptanceStore.NewRun row, RunRequested command, AcceptRun run) {
        OutboxCommand serialized = OutboxCommand.of(command, RunRequested.TYPE);
        Uni<Long> written = store.insertWithCommand(row, serialized)
                .invoke(outboxId -> publisher.publishCommitted(serialized, outboxId));
        return run.onAccepted == null ? written : written.call(() -> run.onAccepted.apply(row.id()));
    }
}

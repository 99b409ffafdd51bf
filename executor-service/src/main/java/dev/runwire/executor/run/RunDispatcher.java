package dev.runwire.executor.run;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Vertx;

import dev.runwire.executor.approval.ApprovalHandler;
import dev.runwire.executor.approval.ApprovalRequests;
import dev.runwire.executor.config.ExecutorConfig;
import dev.runwire.executor.credential.RunCredentials;
import dev.runwire.executor.integration.ActionSchemas;
import dev.runwire.executor.integration.HttpIntegrationClient;
import dev.runwire.executor.integration.PassThrough;
import dev.runwire.executor.plan.PlanScheduler;
import dev.runwire.executor.step.ExternalResults;
import dev.runwire.executor.step.StepOutcomes;
import dev.runwire.model.approval.ApprovalTokens;
import dev.runwire.model.command.ApprovalDecided;
import dev.runwire.model.command.AuthRequiredExpired;
import dev.runwire.model.command.ConnectionProvided;
import dev.runwire.model.command.OutcomeResolved;
import dev.runwire.model.command.RunAbortRequested;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.command.StepResultReported;

/**
 * Carries out runs: hands each command to its run's {@link RunActor}, the one instance in this process that holds the
 * run while it is active, and keeps the leases of those runs (docs/adr/0030). A run that rests (it ended, or waits for
 * an approval or a connection) is in the store only; the next command about it takes it up from there. What a command
 * does to a run is decided by the handlers ({@link PlanScheduler}, {@link ApprovalHandler}, {@link RunCredentials},
 * {@link ExternalResults}, {@link StepOutcomes}); the actor stores, publishes and calls. See
 * docs/adr/0010-executor-run-state.md and docs/adr/0031-executor-run-actor-and-step-status.md.
 */
@ApplicationScoped
public class RunDispatcher {

    private static final Logger LOG = Logger.getLogger(RunDispatcher.class);

    /** How long a stopping executor waits for its calls in flight. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    final HttpIntegrationClient integrations;
    final EventPublisher publisher;
    final RunMetrics metrics;
    final RunStateStore store;
    final ExecutorConfig config;
    final Vertx vertx;
    /** A step's span (docs/adr/0041). */
    final Tracer tracer;
    final Clock clock = Clock.systemUTC();
    final PlanScheduler scheduler;
    final ApprovalHandler approvals;
    final RunCredentials credentials;
    final ExternalResults results;
    final StepOutcomes outcomes;
    private final Map<UUID, RunActor> active = new ConcurrentHashMap<>();
    /** This process, as the holder of the runs it carries out (docs/adr/0030). */
    final String holder;
    final long leaseNanos;
    /** Stopping: no call starts any more; the ones in flight finish, then the runs are given up. */
    volatile boolean stopping;
    final AtomicInteger callsInFlight = new AtomicInteger();

    RunDispatcher(HttpIntegrationClient integrations, EventPublisher publisher, PassThrough.Opener passThroughOpener,
            RunMetrics metrics, RunStateStore store, ActionSchemas schemas, ApprovalTokens tokens,
            ExecutorConfig config, Vertx vertx, Tracer tracer) {
        this.vertx = vertx;
        this.tracer = tracer;
        this.integrations = integrations;
        this.publisher = publisher;
        this.metrics = metrics;
        this.store = store;
        this.config = config;
        this.scheduler = new PlanScheduler(schemas, new ApprovalRequests(tokens, config.approvals().ttl()),
                config.execution().maxResultBytes());
        this.approvals = new ApprovalHandler(scheduler, schemas);
        this.credentials = new RunCredentials(passThroughOpener, scheduler, config.execution().refreshSkew());
        this.results = new ExternalResults(scheduler, schemas);
        this.outcomes = new StepOutcomes(scheduler, credentials);
        String host = System.getenv("HOSTNAME");
        this.holder = (host == null || host.isBlank() ? "executor" : host) + "/" + UUID.randomUUID();
        this.leaseNanos = config.execution().lease().toNanos();
        // a third of the lease, which may be shorter than a second (a timer, not the scheduler, whose ticks are
        // a second apart); on a worker: a run's lock may be held a while by its schema checks, never on an event loop
        vertx.setPeriodic(Math.max(100, config.execution().lease().toMillis() / 3),
                id -> Infrastructure.getDefaultExecutor().execute(this::renewLeases));
    }

    /**
     * Renews the leases of the runs in memory. A run another executor took over meanwhile (this process was stopped
     * longer than its lease) is dropped here: its calls are cancelled, its new holder carries it on.
     */
    private void renewLeases() {
        List<RunActor> held = active.values().stream().filter(RunActor::holdsLease).toList();
        if (held.isEmpty() || stopping) {
            return;
        }
        long sent = System.nanoTime();
        store.renew(holder, held.stream().map(run -> run.runId).toList(), config.execution().lease())
                .emitOn(Infrastructure.getDefaultExecutor()).subscribe().with(renewed -> held.forEach(run -> {
                    if (renewed.contains(run.runId)) {
                        run.renewed(sent + leaseNanos);
                    } else {
                        run.lost();
                    }
                }), failure -> LOG.warnf("leases could not be renewed (%s)", failure.getClass().getSimpleName()));
    }

    /**
     * A stopping executor starts no more calls, lets the ones in flight finish (for up to {@link #STOP_GRACE}) and
     * stores their outcomes, then gives up its runs, so another executor takes them over at once and calls their next
     * steps. Their commands are not acknowledged here: they are delivered again to whoever takes the partitions.
     */
    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        try {
            while (callsInFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            for (RunActor run : active.values()) {
                long left = Math.max(1, deadline - System.nanoTime());
                run.writesDone().completeOnTimeout(null, left, TimeUnit.NANOSECONDS).join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int unfinished = callsInFlight.get();
        active.values().forEach(RunActor::stop);
        try {
            int given = store.release(holder).await().atMost(Duration.ofSeconds(3));
            LOG.infof("stopping: %d runs given up to the other executors (%d calls were still in flight)", given,
                    unfinished);
        } catch (RuntimeException e) {
            LOG.warnf("stopping: runs could not be given up (%s); they are taken over when their leases lapse",
                    e.getClass().getSimpleName());
        }
    }

    /**
     * Carries out a requested run, or resumes it from its stored state when the command is delivered again.
     *
     * @return completes when the run rests (ended, or waiting for an approval) and its events are on the broker
     */
    public CompletionStage<Void> onRequested(RunRequested command) {
        return dispatch(command.runId(), command.ownerId(), run -> run.begin(command), run -> run.isActive());
    }

    /**
     * Aborts a run: in flight here, resting in the store, or not arrived yet (then it is recorded as cancelled and its
     * command, when it comes, finds it so).
     */
    public CompletionStage<Void> onAbort(RunAbortRequested command) {
        return dispatch(command.runId(), command.ownerId(), RunActor::beginAbort, RunActor::abort);
    }

    /** Applies an approval decision to the run waiting for it. */
    public CompletionStage<Void> onDecision(ApprovalDecided decision) {
        return dispatch(decision.runId(), decision.ownerId(), run -> run.later(run.decisions, decision),
                run -> run.now(run.decisions, decision, approvals::apply));
    }

    /** Hands the run a connection its user just made to an integration it waits for. */
    public CompletionStage<Void> onConnection(ConnectionProvided connection) {
        return dispatch(connection.runId(), connection.ownerId(), run -> run.later(run.connections, connection),
                run -> run.now(run.connections, connection, credentials::apply));
    }

    /** Ends a run that waited too long for a connection (FAILED), if it still waits. */
    public CompletionStage<Void> onAuthRequiredExpired(AuthRequiredExpired expired) {
        return dispatch(expired.runId(), expired.ownerId(), run -> run.beginExpiry(expired),
                run -> run.expire(expired));
    }

    /** Hands a step that waits for its result the result its caller reported. */
    public CompletionStage<Void> onResult(StepResultReported result) {
        return dispatch(result.runId(), result.ownerId(), run -> run.later(run.results, result),
                run -> run.now(run.results, result, results::apply));
    }

    /** Hands a step whose outcome is unknown its resolution (or the expiry of its wait). */
    public CompletionStage<Void> onResolution(OutcomeResolved resolution) {
        return dispatch(resolution.runId(), resolution.ownerId(), run -> run.later(run.resolutions, resolution),
                run -> run.now(run.resolutions, resolution, results::resolve));
    }

    int activeRuns() {
        return active.size();
    }

    /** The run's instance leaves memory once it rests. */
    void retired(UUID runId, RunActor run) {
        active.remove(runId, run);
    }

    /**
     * Hands a command to the run's active instance, or to a new one that takes the run up from the store. An instance
     * that retired in between refuses, and the command goes to a new one.
     */
    private CompletionStage<Void> dispatch(UUID runId, UUID ownerId, Consumer<RunActor> onNew,
            Predicate<RunActor> onActive) {
        // the command's trace (CommandConsumer): what the run does next continues it
        Context trace = Context.current();
        while (true) {
            boolean[] created = new boolean[1];
            RunActor run = active.compute(runId, (id, existing) -> {
                if (existing != null && existing.isActive()) {
                    return existing;
                }
                created[0] = true;
                return new RunActor(this, id, ownerId);
            });
            run.traced(trace);
            if (created[0]) {
                run.guarded(() -> onNew.accept(run));
                return run.rested;
            }
            boolean[] taken = new boolean[1];
            run.guarded(() -> taken[0] = onActive.test(run));
            if (taken[0] || run.isCrashed()) {
                return run.rested;
            }
        }
    }
}

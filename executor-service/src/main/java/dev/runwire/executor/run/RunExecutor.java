package dev.runwire.executor.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Vertx;

import dev.runwire.executor.config.ExecutorConfig;
import dev.runwire.executor.integration.ActionSchemas;
import dev.runwire.executor.integration.HttpIntegrationClient;
import dev.runwire.executor.integration.PassThrough;
import dev.runwire.executor.integration.StepOutcome;
import dev.runwire.executor.run.PlanState.Step;
import dev.runwire.executor.run.PlanState.StepStatus;
import dev.runwire.model.Outages;
import dev.runwire.model.approval.ApprovalTokens;
import dev.runwire.model.command.ApprovalDecided;
import dev.runwire.model.command.AuthRequiredExpired;
import dev.runwire.model.command.ConnectionProvided;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunAbortRequested;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.command.StepResultReported;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.plan.StepInputs;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStateMachine;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.schema.Violation;

/**
 * Carries out runs: each step as soon as the steps it depends on have succeeded, independent steps at the same time,
 * pausing where the run asked for approvals. Every change of a run (a step started, a step's outcome, an approval, the
 * end) is written to the executor's store together with the events it produced before those events are published and
 * before a call starts; so a restarted executor resumes a run where it stood, never repeats a finished step, repeats an
 * interrupted call with the same idempotency key, and re-publishes events with their original sequence numbers (the
 * read model ignores what it already has). A run in memory is "active"; one that waits for an approval or has ended
 * rests in the store only, and the next command about it takes it up from there. See
 * docs/adr/0010-executor-run-state.md and docs/adr/0013-approvals.md.
 * <p>
 * Whatever a run's data makes go wrong while it is handled — an exception, a {@code StackOverflowError}, a value
 * PostgreSQL cannot store, an event too large for the broker — fails that run from its stored state, with a reason
 * ({@link #crash}); it never reaches the consumer. The run's logic runs on worker threads, never on an event loop: it
 * validates schemas.
 */
@ApplicationScoped
public class RunExecutor {

    private static final Logger LOG = Logger.getLogger(RunExecutor.class);

    private final HttpIntegrationClient integrations;
    private final EventPublisher publisher;
    private final PassThrough.Opener passThroughOpener;
    private final RunMetrics metrics;
    private final RunStateStore store;
    private final ActionSchemas schemas;
    private final ApprovalTokens tokens;
    private final ExecutorConfig config;
    private final Vertx vertx;
    private final Map<UUID, ActiveRun> active = new ConcurrentHashMap<>();
    /** This process, as the holder of the runs it carries out (docs/adr/0030). */
    private final String holder;
    private final long leaseNanos;
    /** Stopping: no call starts any more; the ones in flight finish, then the runs are given up. */
    private volatile boolean stopping;
    private final java.util.concurrent.atomic.AtomicInteger callsInFlight = new java.util.concurrent.atomic.AtomicInteger();

    RunExecutor(HttpIntegrationClient integrations, EventPublisher publisher, PassThrough.Opener passThroughOpener,
            RunMetrics metrics, RunStateStore store, ActionSchemas schemas, ExecutorConfig config, Vertx vertx) {
        this.vertx = vertx;
        this.integrations = integrations;
        this.publisher = publisher;
        this.passThroughOpener = passThroughOpener;
        this.metrics = metrics;
        this.store = store;
        this.schemas = schemas;
        this.config = config;
        this.tokens = new ApprovalTokens(config.secrets().key());
        String host = System.getenv("HOSTNAME");
        this.holder = (host == null || host.isBlank() ? "executor" : host) + "/" + UUID.randomUUID();
        this.leaseNanos = config.execution().lease().toNanos();
        // on a worker: a run's lock may be held a while by its schema checks, never on an event loop
        vertx.setPeriodic(Math.max(100, config.execution().lease().toMillis() / 3),
                id -> Infrastructure.getDefaultExecutor().execute(this::renewLeases));
    }

    /**
     * Renews the leases of the runs in memory. A run another executor took over meanwhile (this process was stopped
     * longer than its lease) is dropped here: its calls are cancelled, its new holder carries it on.
     */
    private void renewLeases() {
        List<ActiveRun> held = active.values().stream().filter(ActiveRun::holdsLease).toList();
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
    void onStop(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownEvent event) {
        stopping = true;
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        try {
            while (callsInFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            for (ActiveRun run : active.values()) {
                long left = Math.max(1, deadline - System.nanoTime());
                run.writesDone().completeOnTimeout(null, left, java.util.concurrent.TimeUnit.NANOSECONDS).join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int unfinished = callsInFlight.get();
        active.values().forEach(ActiveRun::stop);
        try {
            int given = store.release(holder).await().atMost(java.time.Duration.ofSeconds(3));
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
        return dispatch(command.runId(), command.ownerId(), ActiveRun::beginAbort, ActiveRun::abort);
    }

    /** Applies an approval decision to the run waiting for it. */
    public CompletionStage<Void> onDecision(ApprovalDecided decision) {
        return dispatch(decision.runId(), decision.ownerId(), run -> run.later(run.decisions, decision),
                run -> run.now(run.decisions, decision, run::apply));
    }

    /** Hands the run a connection its user just made to an integration it waits for. */
    public CompletionStage<Void> onConnection(ConnectionProvided connection) {
        return dispatch(connection.runId(), connection.ownerId(), run -> run.later(run.connections, connection),
                run -> run.now(run.connections, connection, run::apply));
    }

    /** Ends a run that waited too long for a connection (FAILED), if it still waits. */
    public CompletionStage<Void> onAuthRequiredExpired(AuthRequiredExpired expired) {
        return dispatch(expired.runId(), expired.ownerId(), run -> run.beginExpiry(expired),
                run -> run.expire(expired));
    }

    /** Hands a step that waits for its result the result its caller reported. */
    public CompletionStage<Void> onResult(StepResultReported result) {
        return dispatch(result.runId(), result.ownerId(), run -> run.later(run.results, result),
                run -> run.now(run.results, result, run::apply));
    }

    int activeRuns() {
        return active.size();
    }

    /**
     * Hands a command to the run's active instance, or to a new one that takes the run up from the store. An instance
     * that retired in between refuses, and the command goes to a new one.
     */
    private CompletionStage<Void> dispatch(UUID runId, UUID ownerId, Consumer<ActiveRun> onNew,
            Predicate<ActiveRun> onActive) {
        while (true) {
            boolean[] created = new boolean[1];
            ActiveRun run = active.compute(runId, (id, existing) -> {
                if (existing != null && existing.isActive()) {
                    return existing;
                }
                created[0] = true;
                return new ActiveRun(id, ownerId);
            });
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

    /** A step about to call its integration (or to ask for approval), with its input resolved. */
    private record Launch(PlanStep step, JsonNode input) {
    }

    /** One run carried out by this process. Its state changes only under its lock; its writes run one at a time. */
    private final class ActiveRun {
        final UUID runId;
        final UUID ownerId;
        final CompletableFuture<Void> rested = new CompletableFuture<>();

        private RunRequested command;
        private PlanState state;
        private RunStatus status = RunStatus.QUEUED;
        private long nextSeq = 1;
        private boolean retired;
        /** Handling the run threw: it is being failed from its stored state, and commands about it change nothing. */
        private boolean crashed;
        private boolean abortRequested;
        private final List<ApprovalDecided> decisions = new ArrayList<>();
        private final List<ConnectionProvided> connections = new ArrayList<>();
        private final List<StepResultReported> results = new ArrayList<>();
        private AuthRequiredExpired pendingExpiry;
        private List<PassThrough> passThrough = List.of();
        private final List<RunEvent> unwritten = new ArrayList<>();
        private final Map<String, HttpIntegrationClient.Call> calls = new HashMap<>();
        /** Steps that asked for a refreshed token because theirs was about to end. */
        private final java.util.Set<String> refreshedForExpiry = new java.util.HashSet<>();
        /** This instance's number on the stored run (0: not taken yet), and until when its lease holds (nanoTime). */
        private long epoch;
        private long leaseUntil;
        private boolean waitedForLease;
        private final List<CompletableFuture<Void>> published = new ArrayList<>();
        private CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);
        private int queued;

        ActiveRun(UUID runId, UUID ownerId) {
            this.runId = runId;
            this.ownerId = ownerId;
            rested.whenComplete((ok, failure) -> active.remove(runId, this));
        }

        synchronized boolean isActive() {
            return !retired;
        }

        synchronized boolean isCrashed() {
            return crashed;
        }

        synchronized boolean holdsLease() {
            return epoch > 0 && !retired && !crashed && !status.isTerminal();
        }

        synchronized void renewed(long until) {
            leaseUntil = Math.max(leaseUntil, until);
        }

        /**
         * Another executor took the run over (this one's lease had lapsed): its calls here are cancelled and nothing
         * more is written; the new holder carries the run on, so the command is done here.
         */
        void lost() {
            synchronized (this) {
                if (retired || crashed || status.isTerminal()) {
                    // an ended run gave its lease up itself, with its last write
                    return;
                }
                drop();
            }
            LOG.warnf("run %s: taken over by another executor; its calls here are cancelled", runId);
            rested.complete(null);
        }

        /** The executor stops: calls cancelled, nothing more written, and the command left unacknowledged. */
        synchronized void stop() {
            drop();
        }

        synchronized CompletableFuture<Void> writesDone() {
            return writes.handle((ok, failure) -> null);
        }

        private void drop() {
            crashed = true;
            retired = true;
            calls.values().forEach(HttpIntegrationClient.Call::cancel);
            calls.clear();
            unwritten.clear();
        }

        /**
         * Takes the run for this executor; while another executor holds it (it still carries the run, or died less than
         * a lease ago), waits for it to finish with the run or for its lease to lapse: a step is never called by two.
         */
        private CompletionStage<Void> lease() {
            long sent = System.nanoTime();
            return store.take(runId, holder, config.execution().lease()).subscribeAsCompletionStage()
                    .thenCompose(taken -> {
                        if (taken.epoch() != null || !taken.exists()) {
                            synchronized (this) {
                                epoch = taken.epoch() == null ? 0 : taken.epoch();
                                leaseUntil = sent + leaseNanos;
                            }
                            return CompletableFuture.<Void> completedFuture(null);
                        }
                        if (stopping) {
                            return new CompletableFuture<Void>();
                        }
                        synchronized (this) {
                            if (!waitedForLease) {
                                waitedForLease = true;
                                LOG.infof("run %s: held by %s; taken over when it is given up or its lease lapses",
                                        runId, taken.holder());
                            }
                        }
                        CompletableFuture<Void> later = new CompletableFuture<>();
                        vertx.setTimer(LEASE_POLL_MILLIS, id -> lease().whenComplete((ok, failure) -> {
                            if (failure == null) {
                                later.complete(null);
                            } else {
                                later.completeExceptionally(failure);
                            }
                        }));
                        return later;
                    });
        }

        /** Written only if no one took the run over since this instance took it. */
        private CompletionStage<Void> save(String json, RunStatus now, long seq, List<RunEvent> events) {
            long taken;
            synchronized (this) {
                taken = epoch;
            }
            return store.save(runId, json, now, seq, events, taken).subscribeAsCompletionStage().thenApply(saved -> {
                if (!saved) {
                    throw new LeaseLostException();
                }
                return null;
            });
        }

        /** Runs a piece of the run's logic; whatever it throws fails the run, never the thread that called. */
        void guarded(Runnable body) {
            try {
                body.run();
            } catch (Throwable failure) {
                crash(failure);
            }
        }

        /**
         * Handling the run threw. Calls in flight are cancelled and what is in memory is dropped; once the writes
         * already queued are done, the run ends FAILED from its stored state with the reason (its events are published
         * again first). When PostgreSQL or the broker did not answer, the run is not failed: the consumer takes it up
         * again later.
         */
        private void crash(Throwable failure) {
            if (stopping) {
                stop();
                return;
            }
            if (Outages.unwrap(failure) instanceof LeaseLostException) {
                lost();
                return;
            }
            boolean infrastructure = Outages.isOutage(failure);
            RunError error = infrastructure ? null : Failures.errorFor(failure);
            CompletableFuture<Void> settled;
            synchronized (this) {
                if (crashed || retired) {
                    return;
                }
                crashed = true;
                calls.values().forEach(HttpIntegrationClient.Call::cancel);
                calls.clear();
                unwritten.clear();
                settled = writes.handle((ok, ignored) -> null);
            }
            if (infrastructure) {
                LOG.warnf("run %s: %s; it is taken up again from its stored state", runId, Failures.describe(failure));
            } else {
                LOG.errorf(failure instanceof StackOverflowError ? null : failure, "run %s fails: %s (%s)", runId,
                        error.code(), failure.getClass().getName());
            }
            CompletionStage<Void> ended = infrastructure ? CompletableFuture.failedFuture(failure)
                    : settled.thenCompose(ignored -> failStored(error, true));
            ended.whenComplete((ok, last) -> {
                synchronized (this) {
                    retired = true;
                }
                if (last == null) {
                    rested.complete(null);
                } else {
                    rested.completeExceptionally(last);
                }
            });
        }

        /**
         * Ends the stored run FAILED with the error: its unfinished steps fail or are skipped, and a run recorded by no
         * one yet is recorded as failed. Its stored events are published again first, so none is missing.
         */
        private CompletionStage<Void> failStored(RunError error, boolean firstTry) {
            return lease().thenCompose(ignored -> store.load(runId).subscribeAsCompletionStage())
                    .thenCompose(stored -> {
                        if (stored == null) {
                            RunEvent failed = new RunEvent(RunEvent.idFor(runId, 1), runId, 1, RunEventType.RUN_FAILED,
                                    null, null, Instant.now(), RunStatus.FAILED, null, null, error, null, null, null);
                            return store
                                    .create(runId, ownerId, null, "{}", RunStatus.FAILED, 2, List.of(failed), holder,
                                            config.execution().lease())
                                    .subscribeAsCompletionStage().thenCompose(created -> {
                                        if (created) {
                                            metrics.runFinished(RunStatus.FAILED);
                                            return publisher.publish(failed);
                                        }
                                        // recorded meanwhile by another command of the run: fail that record
                                        return firstTry ? failStored(error, false)
                                                : CompletableFuture.completedFuture(null);
                                    });
                        }
                        List<CompletableFuture<Void>> sent = new ArrayList<>();
                        stored.events().forEach(event -> sent.add(publisher.publish(event)));
                        if (stored.status().isTerminal()) {
                            return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
                        }
                        List<RunEvent> events = new ArrayList<>();
                        String json = stored.state();
                        try {
                            json = failSteps(stored, error, events);
                        } catch (Throwable unreadable) {
                            // the stored state may itself be what failed: then only the run ends
                            events.clear();
                            json = stored.state();
                        }
                        long seq = stored.nextSeq() + events.size();
                        events.add(new RunEvent(RunEvent.idFor(runId, seq), runId, seq, RunEventType.RUN_FAILED, null,
                                null, Instant.now(), RunStatus.FAILED, null, null, error, null, null, null));
                        long taken;
                        synchronized (this) {
                            taken = epoch;
                        }
                        return store.save(runId, json, RunStatus.FAILED, seq + 1, events, taken)
                                .subscribeAsCompletionStage().thenCompose(saved -> {
                                    if (!saved) {
                                        // another executor took the run over meanwhile: it carries it on
                                        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
                                    }
                                    metrics.runFinished(RunStatus.FAILED);
                                    events.forEach(event -> sent.add(publisher.publish(event)));
                                    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
                                });
                    });
        }

        /** Fails the stored run's unfinished steps into {@code events}; returns the state to store. */
        private String failSteps(RunStateStore.Stored stored, RunError error, List<RunEvent> events) {
            if (stored.command() == null) {
                return stored.state();
            }
            PlanState failing = PlanState.fromJson(stored.state());
            long seq = stored.nextSeq();
            for (PlanStep step : stored.command().steps()) {
                Step current = failing.step(step.stepId());
                if (current == null) {
                    continue;
                }
                RunEventType type = switch (current.status()) {
                case PENDING -> RunEventType.STEP_SKIPPED;
                case RUNNING, AWAITING_APPROVAL, AWAITING_CONNECTION, AWAITING_RESULT -> RunEventType.STEP_FAILED;
                default -> null;
                };
                if (type != null) {
                    failing.set(step.stepId(),
                            new Step(type == RunEventType.STEP_SKIPPED ? StepStatus.SKIPPED : StepStatus.FAILED, null,
                                    null, error));
                    events.add(new RunEvent(RunEvent.idFor(runId, seq), runId, seq, type, step.stepId(),
                            step.description(), Instant.now(), stored.status(), null, null, error, null, null, null));
                    seq++;
                }
            }
            return failing.toJson();
        }

        void begin(RunRequested requested) {
            synchronized (this) {
                command = requested;
                state = PlanState.fresh(requested);
                passThrough = readable(() -> passThroughOpener.open(requested));
                List<Launch> launch = List.of();
                if (passThrough == null) {
                    failUnreadable();
                } else if (state.started()) {
                    status = RunStateMachine.move(status, RunStatus.RUNNING);
                    emit(RunEventType.RUN_STARTED, null, null, null, null, null);
                    launch = advance();
                } else {
                    status = RunStateMachine.move(status, RunStatus.PAUSED);
                    emit(RunEventType.RUN_APPROVAL_REQUESTED, null, null, null, null, links(null, null));
                }
                List<RunEvent> events = drain();
                String json = state.toJson();
                RunStatus now = status;
                long seq = nextSeq;
                List<Launch> first = launch;
                checkSizes(events);
                enqueue(() -> create(requested, json, now, seq, events)
                        .thenCompose(created -> created ? written(events, first, now) : resume()));
            }
        }

        void beginAbort() {
            synchronized (this) {
                abortRequested = true;
                status = RunStateMachine.move(status, RunStatus.CANCELED);
                emit(RunEventType.RUN_CANCELED, null, null, null,
                        RunError.of(Codes.CANCELED, "the run was aborted before it started"), null);
                List<RunEvent> events = drain();
                long seq = nextSeq;
                // a run aborted before its command arrived: recorded as cancelled, so the command finds it so
                enqueue(() -> create(null, "{}", RunStatus.CANCELED, seq, events)
                        .thenCompose(created -> created ? written(events, List.of(), RunStatus.CANCELED) : resume()));
            }
        }

        /** Records the run, taken by this executor with number 1; false when it was recorded before. */
        private CompletionStage<Boolean> create(RunRequested requested, String json, RunStatus now, long seq,
                List<RunEvent> events) {
            long sent = System.nanoTime();
            return store.create(runId, ownerId, requested, json, now, seq, events, holder, config.execution().lease())
                    .subscribeAsCompletionStage().thenApply(created -> {
                        if (created) {
                            synchronized (this) {
                                epoch = 1;
                                leaseUntil = sent + leaseNanos;
                            }
                        }
                        return created;
                    });
        }

        void beginExpiry(AuthRequiredExpired expired) {
            synchronized (this) {
                pendingExpiry = expired;
                enqueue(this::resume);
            }
        }

        /** A reported result ends the step that waits for it; anything else changes nothing. */
        private List<Launch> apply(StepResultReported result) {
            Step waiting = state == null ? null : state.step(result.stepId());
            if (status.isTerminal() || waiting == null || waiting.status() != StepStatus.AWAITING_RESULT) {
                LOG.infof("run %s: a result for step %s that does not wait for one changed nothing", runId,
                        result.stepId());
                return new ArrayList<>();
            }
            PlanStep step = step(result.stepId());
            List<Violation> violations = schemas.outputViolations(step.action(), result.output());
            if (!violations.isEmpty()) {
                failStep(step, new RunError(Codes.OUTPUT_SCHEMA_VIOLATION,
                        "the reported result does not match the action's output schema", null,
                        violations.stream().map(v -> new RunError.Violation(v.pointer(), v.message())).toList()));
            } else {
                state.set(step.stepId(), new Step(StepStatus.SUCCEEDED, null, result.output(), null));
                emit(RunEventType.STEP_SUCCEEDED, step, null, result.output(), null, null);
            }
            return advance();
        }

        /**
         * Starts a step: its call, or, for an action its caller carries out, a wait for the reported result (null).
         */
        private Launch startOrAwait(PlanStep step, JsonNode input) {
            if (!step.action().awaitsResult()) {
                return start(step, input);
            }
            state.set(step.stepId(), new Step(StepStatus.AWAITING_RESULT, input, null, null));
            emit(RunEventType.STEP_AWAITING_RESULT, step, input, null, null, null, null, step.action().outputSchema());
            return null;
        }

        /** @return false when this instance retired and the abort must go to a new one */
        synchronized boolean abort() {
            if (retired) {
                return false;
            }
            if (crashed) {
                return true;
            }
            abortRequested = true;
            if (state != null && !status.isTerminal()) {
                cancelNow(RunError.of(Codes.CANCELED, "the run was aborted"));
                commit(List.of());
            }
            return true;
        }

        /** A command about a run this instance has yet to load: kept until the stored run is taken up. */
        <T> void later(List<T> pending, T command) {
            synchronized (this) {
                if (crashed) {
                    return;
                }
                pending.add(command);
                enqueue(this::resume);
            }
        }

        /**
         * A command about a run in memory: applied now, or kept while the run is still being loaded.
         *
         * @return false when this instance retired and the command must go to a new one
         */
        synchronized <T> boolean now(List<T> pending, T command, java.util.function.Function<T, List<Launch>> apply) {
            if (retired) {
                return false;
            }
            if (crashed) {
                return true;
            }
            if (state == null) {
                pending.add(command);
            } else {
                commit(apply.apply(command));
            }
            return true;
        }

        /** Takes over the stored run: a redelivered command, or a command about a run that rests in the store. */
        private CompletionStage<Void> resume() {
            return lease().thenCompose(ignored -> store.load(runId).subscribeAsCompletionStage())
                    .thenComposeAsync(stored -> {
                        if (stored == null) {
                            LOG.warnf("run %s: a command about a run this executor never recorded was dropped", runId);
                            synchronized (this) {
                                retired = true;
                            }
                            rested.complete(null);
                            return CompletableFuture.<Void> completedFuture(null);
                        }
                        synchronized (this) {
                            unwritten.clear();
                            status = stored.status();
                            nextSeq = stored.nextSeq();
                            if (stored.command() != null) {
                                command = stored.command();
                                state = PlanState.fromJson(stored.state());
                                passThrough = readable(this::openPassThrough);
                                if (passThrough == null && !status.isTerminal()) {
                                    failUnreadable();
                                }
                            }
                            // re-published with their original ids and sequences: the read model keeps each once
                            stored.events().forEach(event -> published.add(publisher.publish(event)));
                            List<Launch> launch = new ArrayList<>();
                            if (!status.isTerminal() && state != null) {
                                if (abortRequested) {
                                    cancelNow(RunError.of(Codes.CANCELED, "the run was aborted"));
                                } else {
                                    // calls interrupted with the last executor run again, with the same idempotency key
                                    for (String stepId : state.withStatus(StepStatus.RUNNING)) {
                                        launch.add(new Launch(step(stepId), state.step(stepId).input()));
                                    }
                                    decisions.forEach(decision -> launch.addAll(apply(decision)));
                                    connections.forEach(connection -> launch.addAll(apply(connection)));
                                    results.forEach(result -> launch.addAll(apply(result)));
                                    launch.addAll(advance());
                                    if (pendingExpiry != null && launch.isEmpty()) {
                                        expireNow();
                                    }
                                }
                            }
                            decisions.clear();
                            connections.clear();
                            results.clear();
                            pendingExpiry = null;
                            commit(launch);
                        }
                        return CompletableFuture.<Void> completedFuture(null);
                    }, Infrastructure.getDefaultExecutor());
        }

        /**
         * The run's pass-through data: the request's, then the connections provided since it was accepted (a later
         * entry wins, so a new connection replaces credentials the integration refused).
         */
        private List<PassThrough> openPassThrough() {
            List<PassThrough> all = new ArrayList<>(passThroughOpener.open(command));
            state.connections().values().forEach(sealed -> all.addAll(passThroughOpener.open(sealed, runId)));
            return all;
        }

        /**
         * The run's pass-through data, or null when it cannot be opened: sealed under a key this executor does not have
         * (removed after a rotation, or never configured here), or damaged. Such a run can never call anything.
         */
        private List<PassThrough> readable(Supplier<List<PassThrough>> open) {
            try {
                return open.get();
            } catch (IllegalStateException e) {
                LOG.warnf("run %s: its pass-through data cannot be opened (%s); the run fails", runId, e.getMessage());
                return null;
            }
        }

        /** Ends a run whose pass-through data cannot be opened: FAILED with the reason, nothing more is called. */
        private void failUnreadable() {
            RunError error = RunError.of(Codes.PASS_THROUGH_UNREADABLE,
                    "the run's credentials cannot be opened with the keys this executor has (see key rotation)");
            for (String stepId : new ArrayList<>(state.stepIds())) {
                StepStatus current = state.step(stepId).status();
                if (current == StepStatus.PENDING) {
                    state.set(stepId, new Step(StepStatus.SKIPPED, null, null, error));
                    emit(RunEventType.STEP_SKIPPED, step(stepId), null, null, error, null);
                } else if (current != StepStatus.SUCCEEDED && current != StepStatus.FAILED
                        && current != StepStatus.SKIPPED && current != StepStatus.CANCELED) {
                    HttpIntegrationClient.Call call = calls.remove(stepId);
                    if (call != null) {
                        call.cancel();
                    }
                    state.set(stepId, new Step(StepStatus.FAILED, null, null, error));
                    emit(RunEventType.STEP_FAILED, step(stepId), null, null, error, null);
                }
            }
            passThrough = List.of();
            status = RunStateMachine.move(status, RunStatus.FAILED);
            emit(RunEventType.RUN_FAILED, null, null, null, error, null);
            metrics.runFinished(status);
        }

        /**
         * Whether a connection carries no newer credentials than the ones the integration refused (a command sent
         * again, e.g. for a refusal event re-published when the run resumed): using them again would only be refused
         * again.
         */
        private boolean stale(ConnectionProvided connection) {
            RunRequested.Connection refusal = state.refusal(connection.integrationKey());
            if (refusal == null || refusal.accountId() == null || refusal.credentialsVersion() == null) {
                return false;
            }
            List<PassThrough> provided = readable(() -> passThroughOpener.open(connection.passThrough(), runId));
            boolean stale = provided != null
                    && provided.stream().filter(entry -> refusal.accountId().equals(entry.accountId()))
                            .allMatch(entry -> entry.credentialsVersion() != null
                                    && entry.credentialsVersion() <= refusal.credentialsVersion())
                    && provided.stream().anyMatch(entry -> refusal.accountId().equals(entry.accountId()));
            if (stale) {
                LOG.infof("run %s: credentials for %s no newer than the refused ones changed nothing", runId,
                        connection.integrationKey());
            }
            return stale;
        }

        /** Records a connection and lets the steps that waited for it go on; a repeated one changes nothing. */
        private List<Launch> apply(ConnectionProvided connection) {
            if (status.isTerminal() || state.connected(connection.integrationKey()) || stale(connection)) {
                return new ArrayList<>();
            }
            state.connect(connection.integrationKey(), connection.passThrough());
            passThrough = readable(this::openPassThrough);
            if (passThrough == null) {
                failUnreadable();
                return new ArrayList<>();
            }
            LOG.infof("run %s: connected to %s", runId, connection.integrationKey());
            for (String stepId : state.withStatus(StepStatus.AWAITING_CONNECTION)) {
                PlanStep step = step(stepId);
                if (step.action().http().integrationKey().equals(connection.integrationKey())) {
                    state.set(stepId, Step.PENDING);
                    emit(RunEventType.STEP_CONNECTED, step, null, null, null, null);
                }
            }
            return advance();
        }

        /**
         * The connection a step waits for, or null: its integration refused the credentials, or had no account when the
         * run was accepted and none came since.
         */
        private RunRequested.Connection awaited(PlanStep step) {
            if (step.action().http() == null) {
                return null;
            }
            String key = step.action().http().integrationKey();
            RunRequested.Connection refusal = state.refusal(key);
            if (refusal != null) {
                return refusal;
            }
            if (command.awaitingConnections() == null || state.connected(key)) {
                return null;
            }
            return command.awaitingConnections().stream().filter(c -> c.integrationKey().equals(key)).findFirst()
                    .orElse(null);
        }

        /**
         * The integration refused the credentials the step's call carried: the step waits for a new connection, naming
         * the account and the version that was refused (the api-service refreshes an OAuth 2 token, or marks the
         * account expired).
         */
        private void refused(PlanStep step, RunError error) {
            String key = step.action().http().integrationKey();
            PassThrough used = PassThrough.accountFor(passThrough, key);
            String reason = Codes.CREDENTIALS_EXPIRED.equals(error.code()) ? RunRequested.Connection.CREDENTIALS_EXPIRED
                    : RunRequested.Connection.CREDENTIALS_INVALID;
            RunRequested.Connection refusal = new RunRequested.Connection(key,
                    RunRequested.Connection.urlFor(key, command.userId()), reason,
                    used == null ? null : used.accountId(), used == null ? null : used.credentialsVersion());
            state.refuse(refusal);
            state.set(step.stepId(),
                    new Step(StepStatus.AWAITING_CONNECTION, state.step(step.stepId()).input(), null, error));
            emit(RunEventType.STEP_AUTH_REQUIRED, step, state.step(step.stepId()).input(), null, error, null, refusal);
            LOG.infof("run %s: %s refused the credentials of step %s; it waits for a connection", runId, key,
                    step.stepId());
        }

        /** Whether the account credentials the step would carry end within the refresh skew. */
        private boolean expiresSoon(PlanStep step) {
            if (step.action().http() == null) {
                return false;
            }
            PassThrough used = PassThrough.accountFor(passThrough, step.action().http().integrationKey());
            return used != null && used.accountId() != null && used.expiresAt() != null
                    && used.expiresAt().isBefore(Instant.now().plus(config.execution().refreshSkew()));
        }

        /** The run waited too long for a connection: its waiting steps fail and it ends FAILED with the reason. */
        synchronized boolean expire(AuthRequiredExpired expired) {
            if (retired) {
                return false;
            }
            if (crashed) {
                return true;
            }
            if (state == null) {
                pendingExpiry = expired;
            } else {
                expireNow();
                commit(List.of());
            }
            return true;
        }

        private void expireNow() {
            if (status != RunStatus.AUTH_REQUIRED) {
                return;
            }
            RunError error = RunError.of(Codes.AUTH_REQUIRED_TIMEOUT,
                    "no account was connected for " + awaitedKeys() + " in the time a run may wait for one");
            for (String stepId : state.withStatus(StepStatus.AWAITING_CONNECTION)) {
                state.set(stepId, new Step(StepStatus.FAILED, state.step(stepId).input(), null, error));
                emit(RunEventType.STEP_FAILED, step(stepId), null, null, error, null);
            }
            for (String stepId : state.withStatus(StepStatus.AWAITING_APPROVAL)) {
                state.set(stepId, new Step(StepStatus.CANCELED, state.step(stepId).input(), null, error));
                emit(RunEventType.STEP_CANCELED, step(stepId), null, null, error, null);
            }
            for (String stepId : state.withStatus(StepStatus.PENDING)) {
                state.set(stepId, new Step(StepStatus.SKIPPED, null, null, error));
                emit(RunEventType.STEP_SKIPPED, step(stepId), null, null, error, null);
            }
            status = RunStateMachine.move(status, RunStatus.FAILED);
            emit(RunEventType.RUN_FAILED, null, null, null, error, null);
            metrics.runFinished(status);
        }

        private List<String> awaitedKeys() {
            return state.withStatus(StepStatus.AWAITING_CONNECTION).stream()
                    .map(stepId -> step(stepId).action().http().integrationKey()).distinct().sorted().toList();
        }

        /** Applies a decision to the run if it waits for exactly that; anything else changes nothing. */
        private List<Launch> apply(ApprovalDecided decision) {
            boolean approve = ApprovalTokens.APPROVE.equals(decision.decision());
            List<Launch> launch = new ArrayList<>();
            if (status.isTerminal()) {
                return launch;
            }
            if (decision.stepId() == null) {
                if (state.started()) {
                    return launch;
                }
                if (!approve) {
                    cancelNow(RunError.of(Codes.APPROVAL_DENIED, "the run was denied"));
                    return launch;
                }
                state.start();
                status = RunStateMachine.move(status, RunStatus.RUNNING);
                emit(RunEventType.RUN_APPROVED, null, null, null, null, null);
                return advance();
            }
            Step waiting = state.step(decision.stepId());
            if (waiting == null || waiting.status() != StepStatus.AWAITING_APPROVAL
                    || !ApprovalTokens.hash(waiting.input()).equals(decision.inputHash())) {
                LOG.infof("run %s: a decision about step %s that does not wait for it changed nothing", runId,
                        decision.stepId());
                return launch;
            }
            PlanStep step = step(decision.stepId());
            if (!approve) {
                RunError error = RunError.of(Codes.APPROVAL_DENIED, "the step was denied");
                state.set(step.stepId(), new Step(StepStatus.SKIPPED, waiting.input(), null, error));
                emit(RunEventType.STEP_DENIED, step, waiting.input(), null, error, null);
                return advance();
            }
            JsonNode input = decision.editedInput() != null ? decision.editedInput() : waiting.input();
            List<Violation> violations = schemas.inputViolations(step.action(), input);
            if (!violations.isEmpty()) {
                failStep(step, new RunError(Codes.INPUT_INVALID,
                        "the approved input does not match the action's schema", null,
                        violations.stream().map(v -> new RunError.Violation(v.pointer(), v.message())).toList()));
                return advance();
            }
            status = RunStateMachine.move(status, RunStatus.RUNNING);
            emit(RunEventType.STEP_APPROVED, step, input, null, null, null);
            Launch started = startOrAwait(step, input);
            if (started != null) {
                launch.add(started);
            }
            launch.addAll(advance());
            return launch;
        }

        /**
         * Marks blocked steps skipped, starts ready ones (or asks for their approval), ends a settled run, and pauses a
         * run that can only wait. Caller holds the lock.
         */
        private List<Launch> advance() {
            List<Launch> launch = new ArrayList<>();
            if (!state.started()) {
                return launch;
            }
            boolean changed = true;
            while (changed && !status.isTerminal()) {
                changed = false;
                for (PlanStep step : state.blocked(command)) {
                    RunError error = RunError.of(Codes.DEPENDENCY_NOT_MET, "a step it depends on did not succeed");
                    state.set(step.stepId(), new Step(StepStatus.SKIPPED, null, null, error));
                    emit(RunEventType.STEP_SKIPPED, step, null, null, error, null);
                    changed = true;
                }
                for (PlanStep step : state.ready(command)) {
                    Launch ready = prepare(step);
                    RunRequested.Connection awaited = ready == null ? null : awaited(step);
                    if (ready == null) {
                        changed = true;
                    } else if (awaited != null) {
                        state.set(step.stepId(), new Step(StepStatus.AWAITING_CONNECTION, ready.input(), null, null));
                        emit(RunEventType.STEP_AUTH_REQUIRED, step, ready.input(), null,
                                RunError.of(Codes.AUTH_REQUIRED, "connect an account for " + awaited.integrationKey()
                                        + " to go on: " + awaited.connectUrl()),
                                null, awaited);
                    } else if (RunRequested.ON_TOOL_CALL.equals(command.approvalStrategy())) {
                        state.set(step.stepId(), new Step(StepStatus.AWAITING_APPROVAL, ready.input(), null, null));
                        emit(RunEventType.STEP_APPROVAL_REQUESTED, step, ready.input(), null, null,
                                links(step.stepId(), ApprovalTokens.hash(ready.input())));
                    } else {
                        Launch started = startOrAwait(step, ready.input());
                        if (started != null) {
                            launch.add(started);
                        }
                    }
                }
                if (state.settled()) {
                    finish();
                }
            }
            if (!status.isTerminal() && state.withStatus(StepStatus.RUNNING).isEmpty() && launch.isEmpty()) {
                if (!state.withStatus(StepStatus.AWAITING_CONNECTION).isEmpty()) {
                    // nothing runs: the run waits for its user to connect an account (and maybe for approvals)
                    if (status != RunStatus.AUTH_REQUIRED) {
                        status = RunStateMachine.move(status, RunStatus.AUTH_REQUIRED);
                        emit(RunEventType.RUN_AUTH_REQUIRED, null, null, null, null, null);
                    }
                } else if (status != RunStatus.PAUSED) {
                    // nothing runs: the run waits for approvals
                    status = RunStateMachine.move(status, RunStatus.PAUSED);
                    emit(RunEventType.RUN_PAUSED, null, null, null, null, null);
                }
            }
            return launch;
        }

        private Launch start(PlanStep step, JsonNode input) {
            status = RunStateMachine.move(status, RunStatus.RUNNING);
            state.set(step.stepId(), Step.running(input));
            emit(RunEventType.STEP_STARTED, step, input, null, null, null);
            return new Launch(step, input);
        }

        /** The step with its input resolved and checked, or null when that failed (the step is then failed). */
        private Launch prepare(PlanStep step) {
            JsonNode input;
            try {
                input = StepInputs.resolve(step.input(), state.outputs());
            } catch (StepInputs.UnresolvedReferenceException e) {
                failStep(step, RunError.of(Codes.REFERENCE_UNRESOLVED, e.getMessage()));
                return null;
            }
            if (!StepInputs.references(step.input()).isEmpty()) {
                List<Violation> violations = schemas.inputViolations(step.action(), input);
                if (!violations.isEmpty()) {
                    failStep(step, new RunError(Codes.INPUT_INVALID,
                            "the input taken from earlier steps does not match the action's input schema", null,
                            violations.stream().map(v -> new RunError.Violation(v.pointer(), v.message())).toList()));
                    return null;
                }
            }
            return new Launch(step, input);
        }

        private void failStep(PlanStep step, RunError error) {
            state.set(step.stepId(), new Step(StepStatus.FAILED, null, null, error));
            emit(RunEventType.STEP_FAILED, step, null, null, error, null);
        }

        private void finish() {
            PlanState.Ending ending = state.ending(command);
            if (ending.status() != RunStatus.NO_SUCCESS && ending.status() != RunStatus.FAILED
                    && command.outputSchema() != null) {
                List<Violation> violations = schemas.violations(command.outputSchema(), ending.result());
                if (!violations.isEmpty()) {
                    ending = new PlanState.Ending(RunStatus.FAILED, null, new RunError(Codes.RESULT_SCHEMA_VIOLATION,
                            "the steps' outputs do not match the run's output schema", null,
                            violations.stream().map(v -> new RunError.Violation(v.pointer(), v.message())).toList()));
                }
            }
            if (ending.result() != null && Json.write(ending.result()).length() > config.execution().maxResultBytes()) {
                // the terminal event must fit in one broker message; the outputs are in the steps' events
                ending = new PlanState.Ending(RunStatus.FAILED, null,
                        RunError.of(Codes.RESULT_TOO_LARGE,
                                "the run's result is larger than " + config.execution().maxResultBytes()
                                        + " bytes; each step's output is in its STEP_SUCCEEDED event"));
            }
            status = RunStateMachine.move(status, ending.status());
            emit(terminal(status), null, null, ending.result(), ending.error(), null);
            metrics.runFinished(status);
        }

        private void cancelNow(RunError error) {
            List<HttpIntegrationClient.Call> inFlight = new ArrayList<>();
            for (StepStatus unfinished : List.of(StepStatus.RUNNING, StepStatus.AWAITING_APPROVAL,
                    StepStatus.AWAITING_CONNECTION, StepStatus.AWAITING_RESULT)) {
                for (String stepId : state.withStatus(unfinished)) {
                    HttpIntegrationClient.Call call = calls.remove(stepId);
                    if (call != null) {
                        inFlight.add(call);
                    }
                    state.set(stepId, new Step(StepStatus.CANCELED, state.step(stepId).input(), null, error));
                    emit(RunEventType.STEP_CANCELED, step(stepId), null, null, error, null);
                }
            }
            status = RunStateMachine.move(status, RunStatus.CANCELED);
            emit(RunEventType.RUN_CANCELED, null, null, null, error, null);
            metrics.runFinished(status);
            // last: a reset may report the call's failure at once, and it must find the run already cancelled
            inFlight.forEach(call -> {
                call.cancel();
                metrics.callCanceled();
            });
        }

        private void launch(Launch launch) {
            guarded(() -> launchNow(launch));
        }

        private void launchNow(Launch launch) {
            String stepId = launch.step().stepId();
            HttpIntegrationClient.Call call = new HttpIntegrationClient.Call();
            synchronized (this) {
                if (crashed || status.isTerminal() || state.step(stepId).status() != StepStatus.RUNNING || stopping) {
                    // stopping: the step stays running in the store, and whoever takes the run over calls it
                    return;
                }
                if (leaseUntil - System.nanoTime() < leaseNanos / 4) {
                    // not renewed lately (PostgreSQL slow or away): another executor may take the run over soon, so
                    // no call starts; the run is taken up again, with the lease, from its stored state
                    throw new LeaseLapsedException();
                }
                if (expiresSoon(launch.step()) && refreshedForExpiry.add(stepId)) {
                    // the account's token would end during the call: a refreshed one comes first (once per step, so
                    // a provider whose tokens always end soon cannot loop)
                    refused(launch.step(), RunError.of(Codes.CREDENTIALS_EXPIRED,
                            "the connected account's access token ends before the call; it is refreshed first"));
                    commit(advance());
                    return;
                }
                calls.put(stepId, call);
            }
            callsInFlight.incrementAndGet();
            // the outcome arrives on a worker thread (HttpIntegrationClient): its checks never hold an event loop
            integrations.call(runId, launch.step(), launch.input(), passThrough, call).subscribe().with(outcome -> {
                callsInFlight.decrementAndGet();
                guarded(() -> onOutcome(launch.step(), outcome, call));
            }, failure -> {
                callsInFlight.decrementAndGet();
                crash(failure);
            });
        }

        private synchronized void onOutcome(PlanStep step, StepOutcome outcome, HttpIntegrationClient.Call call) {
            calls.remove(step.stepId(), call);
            if (crashed || status.isTerminal() || state.step(step.stepId()).status() != StepStatus.RUNNING) {
                return;
            }
            if (outcome.succeeded()) {
                state.set(step.stepId(), new Step(StepStatus.SUCCEEDED, null, outcome.output(), null));
                emit(RunEventType.STEP_SUCCEEDED, step, null, outcome.output(), null, null);
            } else if (Codes.CREDENTIALS_INVALID.equals(outcome.error().code())) {
                refused(step, outcome.error());
            } else if (!retryLater(step, outcome.error())) {
                failStep(step, outcome.error());
            }
            commit(advance());
        }

        /** Schedules another attempt if the failure may pass and the action's policy allows one more. */
        private boolean retryLater(PlanStep step, RunError error) {
            Step current = state.step(step.stepId());
            int made = current.attempts();
            int max = step.action().maxAttempts();
            if (!retryable(error) || made >= max) {
                return false;
            }
            long wait = step.action().retry().backoffBefore(made + 1);
            // stored with the retry event: a restart or another executor goes on with the next attempt, not the first
            state.set(step.stepId(), current.nextAttempt());
            emit(RunEventType.STEP_RETRYING, step, null, null, new RunError(error.code(),
                    error.message() + "; attempt " + made + " of " + max + " failed, the next in " + wait + " ms",
                    error.httpStatus(), null), null);
            Launch again = new Launch(step, state.step(step.stepId()).input());
            vertx.setTimer(Math.max(1, wait), id -> Infrastructure.getDefaultExecutor().execute(() -> launch(again)));
            return true;
        }

        /** Writes what changed since the last write, then publishes its events and starts the calls. Under the lock. */
        private void commit(List<Launch> launch) {
            List<RunEvent> events = drain();
            checkSizes(events);
            String json = state == null ? "{}" : state.toJson();
            RunStatus now = status;
            long seq = nextSeq;
            enqueue(() -> save(json, now, seq, events).thenCompose(ok -> written(events, launch, now)));
        }

        /**
         * After a write: publish its events in order and start its calls; a run that ended or only waits rests (it
         * leaves memory) once its events are on the broker.
         */
        private CompletionStage<Void> written(List<RunEvent> events, List<Launch> launch, RunStatus now) {
            CompletableFuture<?>[] all;
            boolean rest;
            synchronized (this) {
                if (crashed) {
                    // the run is being failed from its stored state, which publishes these again
                    return CompletableFuture.completedFuture(null);
                }
                events.forEach(event -> published.add(publisher.publish(event)));
                all = published.toArray(CompletableFuture[]::new);
                // only the last queued write may retire the run: a later one must not land after a successor loaded it
                rest = !retired && queued == 1
                        && (status.isTerminal() || status == RunStatus.PAUSED || status == RunStatus.AUTH_REQUIRED)
                        && calls.isEmpty() && launch.isEmpty()
                        && (state == null || state.withStatus(StepStatus.RUNNING).isEmpty());
                if (rest) {
                    retired = true;
                }
            }
            if (rest) {
                CompletableFuture.allOf(all).whenComplete((ok, failure) -> {
                    if (failure == null) {
                        rested.complete(null);
                    } else {
                        rested.completeExceptionally(failure);
                    }
                });
            } else if (!launch.isEmpty()) {
                // after a write the thread is the database client's event loop: the run's logic goes elsewhere
                Infrastructure.getDefaultExecutor().execute(() -> launch.forEach(this::launch));
            }
            return CompletableFuture.completedFuture(null);
        }

        /** Queues a write after the ones before it. Caller holds the lock. */
        private void enqueue(Supplier<CompletionStage<Void>> work) {
            queued++;
            writes = writes.thenCompose(ignored -> untilStored(work, 1)).whenComplete((ok, failure) -> {
                synchronized (this) {
                    queued--;
                }
            });
            writes.whenComplete((ok, failure) -> {
                if (failure != null) {
                    crash(failure);
                }
            });
        }

        /**
         * Runs a write; one that meets an outage (PostgreSQL away) is tried again in place, with back-off, for as long
         * as it lasts: what it stores (a call's outcome) is kept rather than lost with the instance, so the call is not
         * made again. Every write is idempotent (same state, events inserted once, fenced by the run's epoch); one that
         * committed but whose answer was lost is simply written again.
         */
        private CompletionStage<Void> untilStored(Supplier<CompletionStage<Void>> work, int attempt) {
            CompletionStage<Void> tried;
            try {
                tried = work.get();
            } catch (RuntimeException e) {
                tried = CompletableFuture.failedFuture(e);
            }
            return tried.handle((ok, failure) -> failure).thenCompose(failure -> {
                // read without the run's lock (this may be a database client's event loop); a stale answer costs one
                // more try, which the epoch fences
                boolean again = failure != null && Outages.isOutage(failure) && !stopping && !crashed
                        && !(Outages.unwrap(failure) instanceof LeaseLapsedException);
                if (failure == null) {
                    return CompletableFuture.completedFuture(null);
                }
                if (!again) {
                    return CompletableFuture.failedFuture(failure);
                }
                long pause = Math.min(WRITE_PAUSE_MAX_MILLIS, WRITE_PAUSE_MILLIS << Math.min(attempt - 1, 10));
                if (attempt == 1) {
                    LOG.warnf("run %s: a write met an outage (%s); tried again in place", runId,
                            Failures.describe(failure));
                }
                CompletableFuture<Void> later = new CompletableFuture<>();
                vertx.setTimer(pause, id -> Infrastructure.getDefaultExecutor()
                        .execute(() -> untilStored(work, attempt + 1).whenComplete((done, last) -> {
                            if (last == null) {
                                later.complete(null);
                            } else {
                                later.completeExceptionally(last);
                            }
                        })));
                return later;
            });
        }

        private RunEvent.ApprovalLinks links(String stepId, String inputHash) {
            Instant expires = Instant.now().plus(config.approvals().ttl());
            return new RunEvent.ApprovalLinks(
                    tokens.issue(new ApprovalTokens.Approval(ownerId, runId, stepId, ApprovalTokens.APPROVE, inputHash,
                            expires)),
                    tokens.issue(new ApprovalTokens.Approval(ownerId, runId, stepId, ApprovalTokens.DENY, inputHash,
                            expires)),
                    expires);
        }

        private void emit(RunEventType type, PlanStep step, JsonNode input, JsonNode output, RunError error,
                RunEvent.ApprovalLinks approval) {
            emit(type, step, input, output, error, approval, null);
        }

        private void emit(RunEventType type, PlanStep step, JsonNode input, JsonNode output, RunError error,
                RunEvent.ApprovalLinks approval, RunRequested.Connection connect) {
            emit(type, step, input, output, error, approval, connect, null);
        }

        private void emit(RunEventType type, PlanStep step, JsonNode input, JsonNode output, RunError error,
                RunEvent.ApprovalLinks approval, RunRequested.Connection connect, JsonNode expects) {
            long seq = nextSeq++;
            unwritten.add(new RunEvent(RunEvent.idFor(runId, seq), runId, seq, type,
                    step == null ? null : step.stepId(), step == null ? null : step.description(), Instant.now(),
                    status, input, output, error, approval, connect, expects));
        }

        /** An event too large for one broker message fails the run before it is stored (and could never be sent). */
        private void checkSizes(List<RunEvent> events) {
            for (RunEvent event : events) {
                if (event.input() == null && event.output() == null && event.expects() == null) {
                    continue;
                }
                int size;
                try {
                    size = Json.mapper().writeValueAsBytes(event).length;
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException("an event of the run cannot be written as JSON", e);
                }
                if (size > config.execution().maxEventBytes()) {
                    throw new Failures.EventTooLargeException("the run's " + event.type() + " event would be " + size
                            + " bytes, more than the " + config.execution().maxEventBytes() + " one event may have");
                }
            }
        }

        private List<RunEvent> drain() {
            List<RunEvent> events = List.copyOf(unwritten);
            unwritten.clear();
            return events;
        }

        private PlanStep step(String stepId) {
            return command.steps().stream().filter(s -> s.stepId().equals(stepId)).findFirst().orElseThrow();
        }
    }

    /** Pauses between tries of a write that met an outage: doubling from the first to the longest. */
    private static final long WRITE_PAUSE_MILLIS = 500;
    private static final long WRITE_PAUSE_MAX_MILLIS = 5_000;

    /** How long a stopping executor waits for its calls in flight. */
    private static final java.time.Duration STOP_GRACE = java.time.Duration.ofSeconds(10);

    /** How often a run held by another executor is tried again. */
    private static final long LEASE_POLL_MILLIS = 500;

    /** Another executor took the run over: this one's write changed nothing. */
    static final class LeaseLostException extends RuntimeException {
        LeaseLostException() {
            super("another executor took the run over", null, false, false);
        }
    }

    /** This executor's lease on a run was not renewed in time: an outage, the run is taken up again later. */
    static final class LeaseLapsedException extends RuntimeException implements Outages.Passing {
        LeaseLapsedException() {
            super("the lease on the run was not renewed in time", null, false, false);
        }
    }

    /** Failures that may pass on their own: timeouts, refused connections, HTTP 408, 429 and 5xx. */
    private static boolean retryable(RunError error) {
        return switch (error.code()) {
        case Codes.INTEGRATION_TIMEOUT, Codes.INTEGRATION_UNREACHABLE -> true;
        case Codes.INTEGRATION_HTTP_ERROR -> error.httpStatus() != null
                && (error.httpStatus() >= 500 || error.httpStatus() == 429 || error.httpStatus() == 408);
        default -> false;
        };
    }

    private static RunEventType terminal(RunStatus status) {
        return switch (status) {
        case SUCCESS -> RunEventType.RUN_SUCCEEDED;
        case PARTIAL_SUCCESS -> RunEventType.RUN_PARTIAL_SUCCESS;
        case NO_SUCCESS -> RunEventType.RUN_NO_SUCCESS;
        case CANCELED -> RunEventType.RUN_CANCELED;
        default -> RunEventType.RUN_FAILED;
        };
    }
}

package dev.runwire.executor.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import dev.runwire.executor.integration.HttpIntegrationClient;
import dev.runwire.executor.integration.PassThrough;
import dev.runwire.executor.integration.StepOutcome;
import dev.runwire.executor.plan.Changes;
import dev.runwire.executor.plan.Launch;
import dev.runwire.executor.plan.PlanState;
import dev.runwire.executor.plan.PlanState.Step;
import dev.runwire.executor.plan.RunEvents;
import dev.runwire.executor.plan.RunState;
import dev.runwire.executor.plan.Transition;
import dev.runwire.model.Outages;
import dev.runwire.model.command.ApprovalDecided;
import dev.runwire.model.command.AuthRequiredExpired;
import dev.runwire.model.command.ConnectionProvided;
import dev.runwire.model.command.OutcomeResolved;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.command.StepResultReported;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;
import dev.runwire.model.trace.RunLogContext;
import dev.runwire.model.trace.RunTelemetry;

/**
 * One run carried out by this process. It applies the run's commands and its calls' outcomes one at a time under its
 * lock, by asking the handlers for a {@link Transition}; then it writes the run's state together with the transition's
 * events in one statement, publishes those events, and only then starts the transition's calls. Its writes run one
 * after the other, in order. A redelivered command, or one about a run that rests in the store, takes the stored run up
 * again ({@link #resume}), under a lease that fences every write (docs/adr/0030).
 * <p>
 * Whatever a run's data makes go wrong while it is handled — an exception, a {@code StackOverflowError}, a value
 * PostgreSQL cannot store, an event too large for the broker, a step move
 * {@link dev.runwire.model.run.StepStateMachine} refuses — fails that run from its stored state, with a reason
 * ({@link #crash}); it never reaches the consumer. The run's logic runs on worker threads, never on an event loop: it
 * validates schemas.
 */
final class RunActor {

    private static final Logger LOG = Logger.getLogger(RunActor.class);

    /** Pauses between tries of a write that met an outage: doubling from the first to the longest. */
    private static final long WRITE_PAUSE_MILLIS = 500;
    private static final long WRITE_PAUSE_MAX_MILLIS = 5_000;

    /** How often a run held by another executor is tried again. */
    private static final long LEASE_POLL_MILLIS = 500;

    private final RunDispatcher executor;
    final UUID runId;
    final UUID ownerId;
    final CompletableFuture<Void> rested = new CompletableFuture<>();

    private final RunState run;
    private boolean retired;
    /** Handling the run threw: it is being failed from its stored state, and commands about it change nothing. */
    private boolean crashed;
    private boolean abortRequested;
    /** Commands about the run that came while it was being taken up from the store. */
    final List<ApprovalDecided> decisions = new ArrayList<>();
    final List<ConnectionProvided> connections = new ArrayList<>();
    final List<StepResultReported> results = new ArrayList<>();
    final List<OutcomeResolved> resolutions = new ArrayList<>();
    private AuthRequiredExpired pendingExpiry;
    private final Map<String, HttpIntegrationClient.Call> calls = new HashMap<>();
    /** This instance's number on the stored run (0: not taken yet), and until when its lease holds (nanoTime). */
    private long epoch;
    private long leaseUntil;
    private boolean waitedForLease;
    private final List<CompletableFuture<Void>> published = new ArrayList<>();
    private CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);
    private int queued;
    /**
     * The trace the run goes on in: the last command's, then the last step's (docs/adr/0041). Its events and calls
     * continue it.
     */
    private volatile Context trace = Context.root();

    RunActor(RunDispatcher executor, UUID runId, UUID ownerId) {
        this.executor = executor;
        this.runId = runId;
        this.ownerId = ownerId;
        this.run = new RunState(runId, ownerId);
        rested.whenComplete((ok, failure) -> executor.retired(runId, this));
    }

    /** What follows continues this trace (the context of the command being handed over). */
    void traced(Context context) {
        trace = context;
    }

    synchronized boolean isActive() {
        return !retired;
    }

    synchronized boolean isCrashed() {
        return crashed;
    }

    synchronized boolean holdsLease() {
        return epoch > 0 && !retired && !crashed && !run.status().isTerminal();
    }

    synchronized void renewed(long until) {
        leaseUntil = Math.max(leaseUntil, until);
    }

    /**
     * Another executor took the run over (this one's lease had lapsed): its calls here are cancelled and nothing more
     * is written; the new holder carries the run on, so the command is done here.
     */
    void lost() {
        synchronized (this) {
            if (retired || crashed || run.status().isTerminal()) {
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
    }

    /**
     * Takes the run for this executor; while another executor holds it (it still carries the run, or died less than a
     * lease ago), waits for it to finish with the run or for its lease to lapse: a step is never called by two.
     */
    private CompletionStage<Void> lease() {
        long sent = System.nanoTime();
        return executor.store.take(runId, executor.holder, executor.config.execution().lease())
                .subscribeAsCompletionStage().thenCompose(taken -> {
                    if (taken.epoch() != null || !taken.exists()) {
                        synchronized (this) {
                            epoch = taken.epoch() == null ? 0 : taken.epoch();
                            leaseUntil = sent + executor.leaseNanos;
                        }
                        return CompletableFuture.<Void> completedFuture(null);
                    }
                    if (executor.stopping) {
                        return new CompletableFuture<Void>();
                    }
                    synchronized (this) {
                        if (!waitedForLease) {
                            waitedForLease = true;
                            LOG.infof("run %s: held by %s; taken over when it is given up or its lease lapses", runId,
                                    taken.holder());
                        }
                    }
                    CompletableFuture<Void> later = new CompletableFuture<>();
                    executor.vertx.setTimer(LEASE_POLL_MILLIS, id -> lease().whenComplete((ok, failure) -> {
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
    private CompletionStage<Void> save(String json, RunStatus now, long seq, List<SerializedEvent> events) {
        long taken;
        synchronized (this) {
            taken = epoch;
        }
        return executor.store.save(runId, json, now, seq, events, taken).subscribeAsCompletionStage()
                .thenApply(saved -> {
                    if (!saved) {
                        throw new LeaseLostException();
                    }
                    return null;
                });
    }

    /** Runs a piece of the run's logic; whatever it throws fails the run, never the thread that called. */
    void guarded(Runnable body) {
        // the lines it logs name the run, its owner and its trace
        try (var logged = RunLogContext.open(runId, ownerId); Scope scope = trace.makeCurrent()) {
            try {
                body.run();
            } catch (Throwable failure) {
                crash(failure);
            }
        }
    }

    /**
     * Handling the run threw. Calls in flight are cancelled and what is in memory is dropped; once the writes already
     * queued are done, the run ends FAILED from its stored state with the reason (its events are published again
     * first). When PostgreSQL or the broker did not answer, the run is not failed: the consumer takes it up again
     * later.
     */
    private void crash(Throwable failure) {
        if (executor.stopping) {
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
     * Ends the stored run FAILED with the error: its unfinished steps fail or are skipped, and a run recorded by no one
     * yet is recorded as failed. Its stored events are published again first, so none is missing.
     */
    private CompletionStage<Void> failStored(RunError error, boolean firstTry) {
        RunStateStore store = executor.store;
        return lease().thenCompose(ignored -> store.load(runId).subscribeAsCompletionStage()).thenCompose(stored -> {
            if (stored == null) {
                RunEvent failed = RunEvents.runFailed(error).numbered(runId, 1, RunStatus.FAILED,
                        executor.clock.instant());
                return store
                        .create(runId, ownerId, null, "{}", RunStatus.FAILED, 2, List.of(SerializedEvent.of(failed)),
                                executor.holder, executor.config.execution().lease())
                        .subscribeAsCompletionStage().thenCompose(created -> {
                            if (created) {
                                executor.metrics.runFinished(RunStatus.FAILED);
                                return executor.publisher.publish(failed, trace);
                            }
                            // recorded meanwhile by another command of the run: fail that record
                            return firstTry ? failStored(error, false) : CompletableFuture.completedFuture(null);
                        });
            }
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            sent.add(executor.publisher.publishStored(stored.events(), trace));
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
            events.add(RunEvents.runFailed(error).numbered(runId, seq, RunStatus.FAILED, executor.clock.instant()));
            long taken;
            synchronized (this) {
                taken = epoch;
            }
            List<SerializedEvent> out = SerializedEvent.all(events);
            return store.save(runId, json, RunStatus.FAILED, seq + 1, out, taken).subscribeAsCompletionStage()
                    .thenCompose(saved -> {
                        if (!saved) {
                            // another executor took the run over meanwhile: it carries it on
                            return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
                        }
                        executor.metrics.runFinished(RunStatus.FAILED);
                        sent.add(executor.publisher.publish(out, trace));
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
            if (current == null || current.status().isTerminal()) {
                continue;
            }
            boolean pending = current.status() == StepStatus.PENDING;
            failing.set(step.stepId(), new Step(pending ? StepStatus.SKIPPED : StepStatus.FAILED, null, null, error));
            RunEvents.Draft draft = pending ? RunEvents.stepSkipped(step, error) : RunEvents.stepFailed(step, error);
            events.add(draft.numbered(runId, seq, stored.status(), executor.clock.instant()));
            seq++;
        }
        return failing.toJson();
    }

    /** What the handlers change about the run from now on; read by {@link #settle}. */
    private Changes changes() {
        return new Changes(run, executor.clock);
    }

    /**
     * The transition the handlers made: the calls it cancels are cancelled now (last: a reset may report the call's
     * failure at once, and it must find the run already moved), and an ended run is counted. Under the lock.
     */
    private Transition settle(Changes changes) {
        Transition transition = changes.transition();
        for (String stepId : transition.cancels()) {
            HttpIntegrationClient.Call call = calls.remove(stepId);
            if (call != null) {
                call.cancel();
                if (transition.status() == RunStatus.CANCELED) {
                    executor.metrics.callCanceled();
                }
            }
        }
        if (transition.finished()) {
            executor.metrics.runFinished(transition.status());
            LOG.debugf("run %s ended %s", runId, transition.status());
        }
        return transition;
    }

    void begin(RunRequested requested) {
        synchronized (this) {
            run.command(requested);
            run.plan(PlanState.fresh(requested));
            Changes changes = changes();
            List<PassThrough> opened = executor.credentials.ofRequest(run);
            if (opened == null) {
                executor.credentials.failUnreadable(changes);
            } else {
                run.passThrough(opened);
                executor.scheduler.begin(changes);
            }
            Transition transition = settle(changes);
            List<RunEvent> events = transition.events();
            String json = run.plan().toJson();
            RunStatus now = run.status();
            long seq = run.nextSeq();
            List<Launch> first = transition.launches();
            List<SerializedEvent> out = serialized(events);
            enqueue(() -> create(requested, json, now, seq, out)
                    .thenCompose(created -> created ? written(out, first, now) : resume()));
        }
    }

    void beginAbort() {
        synchronized (this) {
            abortRequested = true;
            Changes changes = changes();
            executor.scheduler.cancelBeforeRequest(changes);
            // not counted as a finished run: it never started here
            List<RunEvent> events = changes.transition().events();
            long seq = run.nextSeq();
            // a run aborted before its command arrived: recorded as cancelled, so the command finds it so
            List<SerializedEvent> out = SerializedEvent.all(events);
            enqueue(() -> create(null, "{}", RunStatus.CANCELED, seq, out)
                    .thenCompose(created -> created ? written(out, List.of(), RunStatus.CANCELED) : resume()));
        }
    }

    /** Records the run, taken by this executor with number 1; false when it was recorded before. */
    private CompletionStage<Boolean> create(RunRequested requested, String json, RunStatus now, long seq,
            List<SerializedEvent> events) {
        long sent = System.nanoTime();
        return executor.store.create(runId, ownerId, requested, json, now, seq, events, executor.holder,
                executor.config.execution().lease()).subscribeAsCompletionStage().thenApply(created -> {
                    if (created) {
                        synchronized (this) {
                            epoch = 1;
                            leaseUntil = sent + executor.leaseNanos;
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

    /** @return false when this instance retired and the abort must go to a new one */
    synchronized boolean abort() {
        if (retired) {
            return false;
        }
        if (crashed) {
            return true;
        }
        abortRequested = true;
        if (run.plan() != null && !run.status().isTerminal()) {
            Changes changes = changes();
            executor.scheduler.cancel(changes, RunError.of(Codes.CANCELED, "the run was aborted"));
            commit(settle(changes));
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
     * A command about a run in memory: applied now by its handler, or kept while the run is still being loaded.
     *
     * @return false when this instance retired and the command must go to a new one
     */
    synchronized <T> boolean now(List<T> pending, T command, BiConsumer<Changes, T> handler) {
        if (retired) {
            return false;
        }
        if (crashed) {
            return true;
        }
        if (run.plan() == null) {
            pending.add(command);
        } else {
            Changes changes = changes();
            handler.accept(changes, command);
            commit(settle(changes));
        }
        return true;
    }

    /** The run waited too long for a connection: its waiting steps fail and it ends FAILED with the reason. */
    synchronized boolean expire(AuthRequiredExpired expired) {
        if (retired) {
            return false;
        }
        if (crashed) {
            return true;
        }
        if (run.plan() == null) {
            pendingExpiry = expired;
        } else {
            Changes changes = changes();
            executor.credentials.expire(changes);
            commit(settle(changes));
        }
        return true;
    }

    /** Takes over the stored run: a redelivered command, or a command about a run that rests in the store. */
    private CompletionStage<Void> resume() {
        return lease().thenCompose(ignored -> executor.store.load(runId).subscribeAsCompletionStage())
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
                        run.load(stored.status(), stored.nextSeq(), stored.command(),
                                stored.command() == null ? null : PlanState.fromJson(stored.state()));
                        Changes changes = changes();
                        if (stored.command() != null) {
                            List<PassThrough> opened = executor.credentials.ofRun(run);
                            if (opened != null) {
                                run.passThrough(opened);
                            } else if (!run.status().isTerminal()) {
                                executor.credentials.failUnreadable(changes);
                            }
                        }
                        // re-published with their original ids and sequences: the read model keeps each once
                        published.add(executor.publisher.publishStored(stored.events(), trace));
                        if (!run.status().isTerminal() && run.plan() != null) {
                            if (abortRequested) {
                                executor.scheduler.cancel(changes, RunError.of(Codes.CANCELED, "the run was aborted"));
                            } else {
                                takeUp(changes);
                            }
                        }
                        decisions.clear();
                        connections.clear();
                        results.clear();
                        resolutions.clear();
                        pendingExpiry = null;
                        commit(settle(changes));
                    }
                    return CompletableFuture.<Void> completedFuture(null);
                }, Infrastructure.getDefaultExecutor());
    }

    /**
     * Goes on with a stored run: calls interrupted with the last executor run again (with the same idempotency key),
     * then the commands that came meanwhile are applied in order, and a run that still only waits for a connection
     * expires if that is what was asked. Under the lock.
     */
    private void takeUp(Changes changes) {
        executor.scheduler.relaunchRunning(changes);
        decisions.forEach(decision -> executor.approvals.apply(changes, decision));
        connections.forEach(connection -> executor.credentials.apply(changes, connection));
        results.forEach(result -> executor.results.apply(changes, result));
        resolutions.forEach(resolution -> executor.results.resolve(changes, resolution));
        executor.scheduler.advance(changes);
        if (pendingExpiry != null && changes.launches().isEmpty()) {
            executor.credentials.expire(changes);
        }
    }

    private void launch(Launch launch) {
        guarded(() -> launchNow(launch));
    }

    private void launchNow(Launch launch) {
        String stepId = launch.step().stepId();
        HttpIntegrationClient.Call call = new HttpIntegrationClient.Call();
        List<PassThrough> passThrough;
        synchronized (this) {
            if (crashed || run.status().isTerminal() || run.plan().step(stepId).status() != StepStatus.RUNNING
                    || executor.stopping) {
                // stopping: the step stays running in the store, and whoever takes the run over calls it
                return;
            }
            if (leaseUntil - System.nanoTime() < executor.leaseNanos / 4) {
                // not renewed lately (PostgreSQL slow or away): another executor may take the run over soon, so no
                // call starts; the run is taken up again, with the lease, from its stored state
                throw new LeaseLapsedException();
            }
            Changes changes = changes();
            if (executor.credentials.refreshFirst(changes, launch.step())) {
                commit(settle(changes));
                return;
            }
            calls.put(stepId, call);
            passThrough = run.passThrough();
        }
        executor.callsInFlight.incrementAndGet();
        Span span = executor.tracer.spanBuilder("run step").setParent(trace)
                .setAttribute(RunTelemetry.RUN_ID_ATTRIBUTE, runId.toString())
                .setAttribute(RunTelemetry.OWNER_ID_ATTRIBUTE, ownerId.toString())
                .setAttribute(RunTelemetry.STEP_ID_ATTRIBUTE, stepId)
                .setAttribute(RunTelemetry.ACTION_KEY_ATTRIBUTE, launch.step().action().key()).startSpan();
        Context step = trace.with(span);
        // the outcome arrives on a worker thread (HttpIntegrationClient): its checks never hold an event loop; the
        // call's own span is a child of the step's, and what the outcome leads to continues the step's trace
        try (Scope scope = step.makeCurrent()) {
            executor.integrations.call(runId, launch.step(), launch.input(), passThrough, call).subscribe()
                    .with(outcome -> {
                        executor.callsInFlight.decrementAndGet();
                        if (!outcome.succeeded()) {
                            span.setStatus(StatusCode.ERROR, outcome.error().code());
                        }
                        span.end();
                        trace = step;
                        guarded(() -> onOutcome(launch.step(), outcome, call));
                    }, failure -> {
                        executor.callsInFlight.decrementAndGet();
                        span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
                        span.end();
                        guarded(() -> crash(failure));
                    });
        }
    }

    private synchronized void onOutcome(PlanStep step, StepOutcome outcome, HttpIntegrationClient.Call call) {
        calls.remove(step.stepId(), call);
        if (crashed) {
            return;
        }
        Changes changes = changes();
        if (executor.outcomes.apply(changes, step, outcome)) {
            commit(settle(changes));
        }
    }

    /**
     * Writes the run's state with the transition's events, then publishes them and starts its calls. Under the lock.
     */
    private void commit(Transition transition) {
        List<SerializedEvent> events = serialized(transition.events());
        String json = run.plan() == null ? "{}" : run.plan().toJson();
        RunStatus now = run.status();
        long seq = run.nextSeq();
        List<Launch> launch = transition.launches();
        enqueue(() -> save(json, now, seq, events).thenCompose(ok -> written(events, launch, now)));
    }

    /**
     * After a write: publish its events in order and start its calls; a run that ended or only waits rests (it leaves
     * memory) once its events are on the broker.
     */
    private CompletionStage<Void> written(List<SerializedEvent> events, List<Launch> launch, RunStatus now) {
        CompletableFuture<?>[] all;
        boolean rest;
        synchronized (this) {
            if (crashed) {
                // the run is being failed from its stored state, which publishes these again
                return CompletableFuture.completedFuture(null);
            }
            published.add(executor.publisher.publish(events, trace));
            all = published.toArray(CompletableFuture[]::new);
            RunStatus status = run.status();
            // only the last queued write may retire the run: a later one must not land after a successor loaded it
            rest = !retired && queued == 1
                    && (status.isTerminal() || status == RunStatus.PAUSED || status == RunStatus.AUTH_REQUIRED)
                    && calls.isEmpty() && launch.isEmpty()
                    && (run.plan() == null || run.plan().withStatus(StepStatus.RUNNING).isEmpty());
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
            for (Launch next : launch) {
                if (next.delayMillis() > 0) {
                    // a retry: its back-off counts from the write that stored the attempt
                    executor.vertx.setTimer(next.delayMillis(),
                            id -> Infrastructure.getDefaultExecutor().execute(() -> launch(next)));
                }
            }
            List<Launch> immediate = launch.stream().filter(next -> next.delayMillis() == 0).toList();
            if (!immediate.isEmpty()) {
                Infrastructure.getDefaultExecutor().execute(() -> immediate.forEach(this::launch));
            }
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
     * Runs a write; one that meets an outage (PostgreSQL away) is tried again in place, with back-off, for as long as
     * it lasts: what it stores (a call's outcome) is kept rather than lost with the instance, so the call is not made
     * again. Every write is idempotent (same state, events inserted once, fenced by the run's epoch); one that
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
            // read without the run's lock (this may be a database client's event loop); a stale answer costs one more
            // try, which the epoch fences
            boolean again = failure != null && Outages.isOutage(failure) && !executor.stopping && !crashed
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
            executor.vertx.setTimer(pause, id -> Infrastructure.getDefaultExecutor()
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

    /**
     * The events as they are stored and sent, each written as JSON once. An event too large for one broker message
     * fails the run before it is stored (and could never be sent).
     */
    private List<SerializedEvent> serialized(List<RunEvent> events) {
        int max = executor.config.execution().maxEventBytes();
        List<SerializedEvent> serialized = SerializedEvent.all(events);
        for (SerializedEvent written : serialized) {
            int size = written.json().length;
            if (size > max) {
                throw new Failures.EventTooLargeException("the run's " + written.event().type() + " event would be "
                        + size + " bytes, more than the " + max + " one event may have");
            }
        }
        return serialized;
    }

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
}

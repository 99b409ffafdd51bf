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
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.executor.integration.ActionSchemas;
import dev.runwire.executor.integration.HttpIntegrationClient;
import dev.runwire.executor.integration.PassThrough;
import dev.runwire.executor.integration.StepOutcome;
import dev.runwire.executor.run.PlanState.Step;
import dev.runwire.executor.run.PlanState.StepStatus;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunAbortRequested;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.plan.StepInputs;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.schema.Violation;

/**
 * Carries out runs: each step as soon as the steps it depends on have succeeded, independent steps at the same time.
 * Every change of a run (a step started, a step's outcome, the end) is written to the executor's store together with
 * the events it produced before those events are published and before a call starts; so a restarted executor resumes a
 * run where it stood, never repeats a finished step, repeats an interrupted call with the same idempotency key, and
 * re-publishes events with their original sequence numbers (the read model ignores what it already has). See
 * docs/adr/0010-executor-run-state.md.
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
    private final Map<UUID, ActiveRun> active = new ConcurrentHashMap<>();

    RunExecutor(HttpIntegrationClient integrations, EventPublisher publisher, PassThrough.Opener passThroughOpener,
            RunMetrics metrics, RunStateStore store, ActionSchemas schemas) {
        this.integrations = integrations;
        this.publisher = publisher;
        this.passThroughOpener = passThroughOpener;
        this.metrics = metrics;
        this.store = store;
        this.schemas = schemas;
    }

    /**
     * Carries out a requested run, or resumes it from its stored state when the command is delivered again.
     *
     * @return completes when the run has ended and all its events are on the broker
     */
    public CompletionStage<Void> onRequested(RunRequested command) {
        boolean[] created = new boolean[1];
        ActiveRun run = active.computeIfAbsent(command.runId(), id -> {
            created[0] = true;
            return new ActiveRun(id, command.ownerId());
        });
        if (created[0]) {
            run.begin(command);
        }
        return run.rested;
    }

    /**
     * Aborts a run: in flight here, stored (resting or finished), or not arrived yet (then it is recorded as cancelled
     * and its command, when it comes, finds it so).
     *
     * @return completes when the cancellation is stored and published
     */
    public CompletionStage<Void> onAbort(RunAbortRequested command) {
        boolean[] created = new boolean[1];
        ActiveRun run = active.computeIfAbsent(command.runId(), id -> {
            created[0] = true;
            return new ActiveRun(id, command.ownerId());
        });
        if (created[0]) {
            run.beginAbort();
        } else {
            run.abort();
        }
        return run.rested;
    }

    int activeRuns() {
        return active.size();
    }

    /** A step about to call its integration, with its input resolved. */
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
        private boolean abortRequested;
        private List<PassThrough> passThrough = List.of();
        private final List<RunEvent> unwritten = new ArrayList<>();
        private final Map<String, HttpIntegrationClient.Call> calls = new HashMap<>();
        private final List<CompletableFuture<Void>> published = new ArrayList<>();
        private CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);

        ActiveRun(UUID runId, UUID ownerId) {
            this.runId = runId;
            this.ownerId = ownerId;
            rested.whenComplete((ok, failure) -> active.remove(runId, this));
        }

        void begin(RunRequested requested) {
            synchronized (this) {
                command = requested;
                state = PlanState.fresh(requested);
                passThrough = passThroughOpener.open(requested);
                status = RunStatus.RUNNING;
                emit(RunEventType.RUN_STARTED, null, null, null, null);
                List<Launch> launch = advance();
                List<RunEvent> events = drain();
                String json = state.toJson();
                RunStatus now = status;
                long seq = nextSeq;
                enqueue(() -> store.create(runId, ownerId, requested, json, now, seq, events)
                        .subscribeAsCompletionStage()
                        .thenCompose(created -> created ? written(events, launch, now) : resume()));
            }
        }

        void beginAbort() {
            synchronized (this) {
                abortRequested = true;
                status = RunStatus.CANCELED;
                emit(RunEventType.RUN_CANCELED, null, null, null,
                        RunError.of(Codes.CANCELED, "the run was aborted before it started"));
                List<RunEvent> events = drain();
                long seq = nextSeq;
                // a run aborted before its command arrived: recorded as cancelled, so the command finds it so
                enqueue(() -> store.create(runId, ownerId, null, "{}", RunStatus.CANCELED, seq, events)
                        .subscribeAsCompletionStage()
                        .thenCompose(created -> created ? written(events, List.of(), RunStatus.CANCELED) : resume()));
            }
        }

        synchronized void abort() {
            abortRequested = true;
            if (state != null && !status.isTerminal()) {
                cancelNow();
                commit(List.of());
            }
        }

        /** Takes over the stored run: a redelivered command, or an abort of a run not in flight here. */
        private CompletionStage<Void> resume() {
            return store.load(runId).subscribeAsCompletionStage().thenCompose(stored -> {
                List<Launch> launch = new ArrayList<>();
                synchronized (this) {
                    unwritten.clear();
                    status = stored.status();
                    nextSeq = stored.nextSeq();
                    if (stored.command() != null) {
                        command = stored.command();
                        state = PlanState.fromJson(stored.state());
                        passThrough = passThroughOpener.open(command);
                    }
                    // re-published with their original ids and sequences: the read model keeps each once
                    stored.events().forEach(event -> published.add(publisher.publish(event)));
                    if (!status.isTerminal()) {
                        if (abortRequested) {
                            cancelNow();
                        } else {
                            // calls interrupted with the last executor run again, with the same idempotency key
                            for (String stepId : state.withStatus(StepStatus.RUNNING)) {
                                Launch again = prepare(step(stepId));
                                if (again != null) {
                                    launch.add(again);
                                }
                            }
                            launch.addAll(advance());
                        }
                    }
                    commit(launch);
                }
                return CompletableFuture.<Void> completedFuture(null);
            });
        }

        /** Marks blocked steps skipped, starts ready ones, ends a settled run. Caller holds the lock. */
        private List<Launch> advance() {
            List<Launch> launch = new ArrayList<>();
            boolean changed = true;
            while (changed && !status.isTerminal()) {
                changed = false;
                for (PlanStep step : state.blocked(command)) {
                    RunError error = RunError.of(Codes.DEPENDENCY_NOT_MET, "a step it depends on did not succeed");
                    state.set(step.stepId(), new Step(StepStatus.SKIPPED, null, error));
                    emit(RunEventType.STEP_SKIPPED, step, null, null, error);
                    changed = true;
                }
                for (PlanStep step : state.ready(command)) {
                    Launch ready = prepare(step);
                    if (ready == null) {
                        changed = true;
                    } else {
                        state.set(step.stepId(), Step.RUNNING);
                        emit(RunEventType.STEP_STARTED, step, ready.input(), null, null);
                        launch.add(ready);
                    }
                }
                if (state.settled()) {
                    finish();
                }
            }
            return launch;
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
            state.set(step.stepId(), new Step(StepStatus.FAILED, null, error));
            emit(RunEventType.STEP_FAILED, step, null, null, error);
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
            status = ending.status();
            emit(terminal(status), null, null, ending.result(), ending.error());
            metrics.runFinished(status);
        }

        private void cancelNow() {
            RunError error = RunError.of(Codes.CANCELED, "the run was aborted");
            List<HttpIntegrationClient.Call> inFlight = new ArrayList<>();
            for (String stepId : state.withStatus(StepStatus.RUNNING)) {
                HttpIntegrationClient.Call call = calls.remove(stepId);
                if (call != null) {
                    inFlight.add(call);
                }
                state.set(stepId, new Step(StepStatus.CANCELED, null, error));
                emit(RunEventType.STEP_CANCELED, step(stepId), null, null, error);
            }
            status = RunStatus.CANCELED;
            emit(RunEventType.RUN_CANCELED, null, null, null, error);
            metrics.runFinished(status);
            // last: a reset may report the call's failure at once, and it must find the run already cancelled
            inFlight.forEach(call -> {
                call.cancel();
                metrics.callCanceled();
            });
        }

        private void launch(Launch launch) {
            String stepId = launch.step().stepId();
            HttpIntegrationClient.Call call = new HttpIntegrationClient.Call();
            synchronized (this) {
                if (status.isTerminal() || state.step(stepId).status() != StepStatus.RUNNING) {
                    return;
                }
                calls.put(stepId, call);
            }
            integrations.call(runId, launch.step(), launch.input(), passThrough, call).subscribe()
                    .with(outcome -> onOutcome(launch.step(), outcome, call));
        }

        private synchronized void onOutcome(PlanStep step, StepOutcome outcome, HttpIntegrationClient.Call call) {
            calls.remove(step.stepId(), call);
            if (status.isTerminal() || state.step(step.stepId()).status() != StepStatus.RUNNING) {
                return;
            }
            if (outcome.succeeded()) {
                state.set(step.stepId(), new Step(StepStatus.SUCCEEDED, outcome.output(), null));
                emit(RunEventType.STEP_SUCCEEDED, step, null, outcome.output(), null);
            } else {
                failStep(step, outcome.error());
            }
            commit(advance());
        }

        /** Writes what changed since the last write, then publishes its events and starts the calls. Under the lock. */
        private void commit(List<Launch> launch) {
            List<RunEvent> events = drain();
            String json = state == null ? "{}" : state.toJson();
            RunStatus now = status;
            long seq = nextSeq;
            enqueue(() -> store.save(runId, json, now, seq, events).subscribeAsCompletionStage()
                    .thenCompose(ok -> written(events, launch, now)));
        }

        /** After a write: publish its events in order, start its calls, or, when the run ended, rest once published. */
        private CompletionStage<Void> written(List<RunEvent> events, List<Launch> launch, RunStatus now) {
            CompletableFuture<?>[] all;
            synchronized (this) {
                events.forEach(event -> published.add(publisher.publish(event)));
                all = published.toArray(CompletableFuture[]::new);
            }
            if (now.isTerminal()) {
                CompletableFuture.allOf(all).whenComplete((ok, failure) -> {
                    if (failure == null) {
                        rested.complete(null);
                    } else {
                        rested.completeExceptionally(failure);
                    }
                });
            } else {
                launch.forEach(this::launch);
            }
            return CompletableFuture.completedFuture(null);
        }

        private void enqueue(Supplier<CompletionStage<Void>> work) {
            writes = writes.thenCompose(ignored -> work.get());
            writes.whenComplete((ok, failure) -> {
                if (failure != null && rested.completeExceptionally(failure)) {
                    LOG.errorf("run %s: its state could not be stored (%s); its command stays uncommitted", runId,
                            failure.getClass().getSimpleName());
                }
            });
        }

        private void emit(RunEventType type, PlanStep step, JsonNode input, JsonNode output, RunError error) {
            long seq = nextSeq++;
            unwritten
                    .add(new RunEvent(RunEvent.idFor(runId, seq), runId, seq, type, step == null ? null : step.stepId(),
                            step == null ? null : step.description(), Instant.now(), status, input, output, error));
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

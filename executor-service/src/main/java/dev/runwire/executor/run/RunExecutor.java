package dev.runwire.executor.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.executor.integration.HttpIntegrationClient;
import dev.runwire.executor.integration.PassThrough;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunStatus;

/**
 * Carries out a run: its steps in plan order, each through its integration, emitting the run's events with sequence
 * numbers it assigns itself (the run's single writer). Replaying a command emits the same events with the same ids and
 * sequences, so the read model stays exactly-once.
 */
@ApplicationScoped
public class RunExecutor {

    private final HttpIntegrationClient integrations;
    private final EventPublisher publisher;
    private final PassThrough.Opener passThroughOpener;
    private final RunMetrics metrics;

    RunExecutor(HttpIntegrationClient integrations, EventPublisher publisher, PassThrough.Opener passThroughOpener,
            RunMetrics metrics) {
        this.integrations = integrations;
        this.publisher = publisher;
        this.passThroughOpener = passThroughOpener;
        this.metrics = metrics;
    }

    public Uni<Void> execute(RunRequested command) {
        Events events = new Events(command.runId());
        List<PassThrough> passThrough = passThroughOpener.open(command);
        events.emit(RunEventType.RUN_STARTED, null, RunStatus.RUNNING, null, null);
        return runSteps(command, passThrough, events, 0, null).onItem()
                .transformToUni(ignored -> events.allPublished());
    }

    private Uni<Void> runSteps(RunRequested command, List<PassThrough> passThrough, Events events, int index,
            JsonNode lastOutput) {
        List<PlanStep> steps = command.steps();
        if (index == steps.size()) {
            events.emit(RunEventType.RUN_SUCCEEDED, null, RunStatus.SUCCESS, lastOutput, null);
            metrics.runFinished(RunStatus.SUCCESS);
            return Uni.createFrom().voidItem();
        }
        PlanStep step = steps.get(index);
        events.emit(RunEventType.STEP_STARTED, step.stepId(), RunStatus.RUNNING, null, null);
        return integrations.call(command.runId(), step, passThrough).onItem().transformToUni(outcome -> {
            if (outcome.succeeded()) {
                events.emit(RunEventType.STEP_SUCCEEDED, step.stepId(), RunStatus.RUNNING, outcome.output(), null);
                return runSteps(command, passThrough, events, index + 1, outcome.output());
            }
            RunError error = outcome.error();
            events.emit(RunEventType.STEP_FAILED, step.stepId(), RunStatus.RUNNING, null, error);
            events.emit(RunEventType.RUN_FAILED, null, RunStatus.FAILED, null, error);
            metrics.runFinished(RunStatus.FAILED);
            return Uni.createFrom().voidItem();
        });
    }

    /** The events of one execution, numbered in order, published as they happen. */
    private final class Events {
        private final UUID runId;
        private final List<CompletableFuture<Void>> acks = new ArrayList<>();
        private long seq;

        Events(UUID runId) {
            this.runId = runId;
        }

        void emit(RunEventType type, String stepId, RunStatus status, JsonNode output, RunError error) {
            seq++;
            RunEvent event = new RunEvent(RunEvent.idFor(runId, seq), runId, seq, type, stepId, Instant.now(), status,
                    output, error);
            acks.add(publisher.publish(event));
        }

        Uni<Void> allPublished() {
            return Uni.createFrom().completionStage(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)));
        }
    }
}

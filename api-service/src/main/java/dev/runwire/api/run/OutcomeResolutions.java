package dev.runwire.api.run;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

import dev.runwire.api.action.Schemas;
import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.outbox.CommandPublisher;
import dev.runwire.api.outbox.OutboxCommand;
import dev.runwire.model.command.OutcomeResolved;
import dev.runwire.model.event.RunEvent;

/**
 * Resolutions of steps whose call's outcome is unknown (ADR 0035): the caller says the call succeeded (with its output,
 * checked against the action's output schema) or failed; the resolution is recorded once per step and sent to the run's
 * executor through the outbox, so whichever executor holds the run applies it. A step nobody resolves in time is
 * resolved as expired by a sweep on any replica.
 */
@ApplicationScoped
public class OutcomeResolutions {

    private static final Logger LOG = Logger.getLogger(OutcomeResolutions.class);
    private static final int BATCH = 100;

    private final RunStore runs;
    private final OutcomeResolutionStore store;
    private final CommandPublisher publisher;
    private final Schemas schemas;
    private final ApiConfig config;

    OutcomeResolutions(RunStore runs, OutcomeResolutionStore store, CommandPublisher publisher, Schemas schemas,
            ApiConfig config) {
        this.runs = runs;
        this.store = store;
        this.publisher = publisher;
        this.schemas = schemas;
        this.config = config;
    }

    /** What the API answers: the resolution was accepted and the run goes on. */
    public record Resolved(UUID runId, String stepId, String outcome, String status) {
    }

    /**
     * Resolves the run's step whose outcome is unknown. The body is {@code {"outcome": "succeeded", "output": ...}} or
     * {@code {"outcome": "failed"}}, with {@code "stepId"} when several steps wait.
     */
    public Uni<Resolved> resolve(UUID ownerId, UUID runId, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new Invalid("missing_body",
                    "the body is {\"outcome\": \"succeeded\", \"output\": {...}} or {\"outcome\": \"failed\"}", "");
        }
        JsonNode outcomeNode = body.get("outcome");
        String outcome = outcomeNode != null && outcomeNode.isTextual() ? outcomeNode.asText() : null;
        if (!OutcomeResolved.SUCCEEDED.equals(outcome) && !OutcomeResolved.FAILED.equals(outcome)) {
            throw new Invalid("invalid_outcome", "outcome must be \"succeeded\" or \"failed\"", "/outcome");
        }
        JsonNode output = body.get("output");
        boolean succeeded = OutcomeResolved.SUCCEEDED.equals(outcome);
        if (succeeded && output == null) {
            throw new Invalid("missing_output", "a succeeded outcome carries the call's output", "/output");
        }
        if (!succeeded && output != null) {
            throw new Invalid("unexpected_output", "a failed outcome has no output", "/output");
        }
        JsonNode stepNode = body.get("stepId");
        if (stepNode != null
                && (!stepNode.isTextual() || stepNode.asText().isEmpty() || stepNode.asText().length() > 64)) {
            throw new Invalid("invalid_step_id", "stepId is a step's id (1-64 characters)", "/stepId");
        }
        String stepId = stepNode == null ? null : stepNode.asText();
        return runs.run(ownerId, runId).chain(run -> {
            if (run == null) {
                throw new NotFound("no run with id " + runId);
            }
            return store.waiting(runId);
        }).chain(waiting -> {
            RunEvent step = pick(waiting, stepId);
            Uni<Void> checked = succeeded ? schemas.violations(step.expects(), output, "/output").invoke(violations -> {
                if (!violations.isEmpty()) {
                    throw new Invalid(violations.stream()
                            .map(v -> Problem.at("output_invalid", v.message(), "/output" + v.pointer())).toList());
                }
            }).replaceWithVoid() : Uni.createFrom().voidItem();
            return checked.chain(() -> record(new OutcomeResolved(runId, ownerId, step.stepId(), outcome,
                    succeeded ? output : null, Instant.now())));
        });
    }

    /** The waiting step the resolution is for: the named one, or the only one. */
    private static RunEvent pick(List<RunEvent> waiting, String stepId) {
        if (stepId != null) {
            return waiting.stream().filter(e -> stepId.equals(e.stepId())).findFirst()
                    .orElseThrow(() -> notWaiting("the step " + stepId
                            + " does not wait for a resolution (its outcome is known, it was resolved, or the run"
                            + " ended)"));
        }
        if (waiting.isEmpty()) {
            throw notWaiting(
                    "the run has no step whose outcome is unknown (none was, it was resolved, or the run" + " ended)");
        }
        if (waiting.size() > 1) {
            throw new Invalid("step_required",
                    "several steps wait for a resolution: name one, " + waiting.stream().map(RunEvent::stepId).toList(),
                    "/stepId");
        }
        return waiting.get(0);
    }

    private static Conflict notWaiting(String detail) {
        return new Conflict("not_awaiting_resolution", detail, ErrorObject.Source.pointer(""));
    }

    private Uni<Resolved> record(OutcomeResolved resolution) {
        OutboxCommand command = OutboxCommand.of(resolution, OutcomeResolved.TYPE);
        return store.insert(resolution, command).map(outboxId -> {
            if (outboxId == null) {
                // resolved meanwhile, by another request or the expiry
                throw notWaiting("the step " + resolution.stepId() + " was resolved already");
            }
            publisher.publishCommitted(command, outboxId);
            return new Resolved(resolution.runId(), resolution.stepId(), resolution.outcome(), "accepted");
        });
    }

    /** Resolves as expired the steps nobody resolved in time; a failed sweep is tried at the next tick. */
    @Scheduled(identity = "outcome-unknown-timeouts", every = "${runwire.run.outcome-unknown-sweep:30s}", delayed = "${runwire.run.outcome-unknown-sweep:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return store.expire(config.run().outcomeUnknownTimeout(), BATCH).invoke(expired -> {
            expired.forEach(e -> publisher.publishCommitted(e.getKey(), e.getValue()));
            if (!expired.isEmpty()) {
                LOG.infof("%d step(s) whose outcome was unknown were not resolved in time and fail", expired.size());
            }
        }).replaceWithVoid().onFailure().recoverWithUni(failure -> {
            LOG.warnf("looking for unknown outcomes that waited too long failed (%s); it will be retried",
                    failure.getClass().getSimpleName());
            return Uni.createFrom().voidItem();
        });
    }
}

package dev.runwire.api.run;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.action.Schemas;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.outbox.CommandPublisher;
import dev.runwire.api.outbox.OutboxCommand;
import dev.runwire.api.outbox.OutboxStore;
import dev.runwire.model.command.StepResultReported;

/**
 * Results of steps that wait for their caller (talkover's transfer, hold and external actions): checked against the
 * schema the step announced in its {@code STEP_AWAITING_RESULT} event, then sent to the run's executor through the
 * outbox; the step succeeds with it and the run goes on.
 */
@ApplicationScoped
public class StepResults {

    private final RunStore store;
    private final CommandPublisher publisher;
    private final OutboxStore outbox;
    private final Schemas schemas;

    StepResults(RunStore store, CommandPublisher publisher, OutboxStore outbox, Schemas schemas) {
        this.store = store;
        this.publisher = publisher;
        this.outbox = outbox;
        this.schemas = schemas;
    }

    /** What the API answers: the result was accepted and the run goes on. */
    public record Reported(UUID runId, String stepId, String status) {
    }

    public Uni<Reported> report(UUID ownerId, UUID runId, String stepId, JsonNode body) {
        if (stepId == null || stepId.isBlank() || stepId.length() > 64) {
            throw new Malformed("stepId is 1-64 characters", ErrorObject.Source.parameter("stepId"));
        }
        if (body == null || !body.isObject() || !body.has("output")) {
            throw new Invalid("missing_output", "the body is {\"output\": <the step's result>}", "/output");
        }
        JsonNode output = body.get("output");
        return store.run(ownerId, runId).chain(run -> {
            if (run == null) {
                throw new NotFound("no run with id " + runId);
            }
            return store.awaitingResult(runId, stepId);
        }).chain(waiting -> {
            if (waiting == null) {
                throw new Conflict("step_not_awaiting_result",
                        "the step " + stepId
                                + " does not wait for a result (it never did, it has one, or the run ended)",
                        ErrorObject.Source.parameter("stepId"));
            }
            return schemas.violations(waiting.expects(), output, "/output").chain(violations -> {
                if (!violations.isEmpty()) {
                    throw new Invalid(violations.stream()
                            .map(v -> Problem.at("output_invalid", v.message(), "/output" + v.pointer())).toList());
                }
                StepResultReported command = new StepResultReported(runId, ownerId, stepId, output, Instant.now());
                OutboxCommand serialized = OutboxCommand.of(command, StepResultReported.TYPE);
                return outbox.insertCommand(serialized).map(outboxId -> {
                    publisher.publishCommitted(serialized, outboxId);
                    return new Reported(runId, stepId, "accepted");
                });
            });
        });
    }
}

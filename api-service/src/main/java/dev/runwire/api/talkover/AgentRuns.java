package dev.runwire.api.talkover;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.action.Schemas;
import dev.runwire.api.auth.Principal;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.run.RunService;
import dev.runwire.api.run.accept.RunSubject;
import dev.runwire.model.action.ActionSafety;
import dev.runwire.model.command.ActionSpec;
import dev.runwire.model.command.HttpSpec;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;

/**
 * Runs of agent actions, through the same pipeline as every run (outbox, Kafka, executor, read model). A webhook action
 * is an HTTP POST of the input to its URL, which the executor makes through the egress guard; a transfer, hold or
 * external action is carried out by the caller (the voice platform), so its step waits for the reported result.
 * {@code config.output_schema}, when given, is the draft-7 schema results must satisfy.
 */
@ApplicationScoped
public class AgentRuns {

    /** How long a webhook may take. */
    private static final int WEBHOOK_TIMEOUT_MS = 10_000;

    private final RunService runs;
    private final Schemas schemas;

    AgentRuns(RunService runs, Schemas schemas) {
        this.runs = runs;
        this.schemas = schemas;
    }

    /** What the run endpoint answers: the run, its one step, where it stands and, once it succeeded, its output. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Started(@JsonProperty("run_id") UUID runId, @JsonProperty("step_id") String stepId, String status,
            JsonNode output, String error) {
    }

    /** {@code config.output_schema}, or null. */
    static JsonNode outputSchema(JsonNode config) {
        JsonNode schema = config == null ? null : config.get("output_schema");
        return schema == null || schema.isNull() ? null : schema;
    }

    Uni<Started> run(Principal who, AgentStore.AgentAction action, JsonNode input, String userId) {
        JsonNode inputSchema = InputFields.toJsonSchema(Json.tree(action.inputSchema()));
        return schemas.violations(inputSchema, input, "/input").chain(violations -> {
            if (!violations.isEmpty()) {
                throw new Invalid(Problem.of("VALIDATION_ERROR", "the input does not match the action's input_schema: "
                        + violations.get(0).pointer() + " " + violations.get(0).message()));
            }
            return checked(who, action, inputSchema, input, userId);
        });
    }

    private Uni<Started> checked(Principal who, AgentStore.AgentAction action, JsonNode inputSchema, JsonNode input,
            String userId) {
        UUID id = action.id();
        String type = action.type();
        boolean webhook = "webhook".equals(type);
        JsonNode outputSchema = outputSchema(Json.tree(action.config()));
        ActionSpec spec = new ActionSpec(id, "agent-action:" + action.name(), 1,
                webhook ? ActionSpec.HTTP : ActionSpec.EXTERNAL,
                webhook ? new HttpSpec("talkover", "POST", action.url(), "", null, null, null, null) : null, true, null,
                inputSchema, outputSchema, webhook ? WEBHOOK_TIMEOUT_MS : 0, null,
                // talkover's actions declare nothing about their effects: the safe default (ADR 0035)
                ActionSafety.DEFAULT);
        RunSubject subject = new RunSubject(id, spec.key(), 1, action.description());
        return runs.startSpec(who, subject, spec, input, userId == null ? "agent" : userId, webhook).map(accepted -> {
            if (accepted.terminal() == null) {
                return new Started(accepted.runId(), RunService.STEP_ID, "QUEUED", null, null);
            }
            boolean ok = accepted.terminal().type() == RunEventType.RUN_SUCCEEDED;
            return new Started(accepted.runId(), RunService.STEP_ID, accepted.terminal().status().name(),
                    ok ? accepted.terminal().output() : null, ok ? null : accepted.terminal().error().message());
        });
    }
}

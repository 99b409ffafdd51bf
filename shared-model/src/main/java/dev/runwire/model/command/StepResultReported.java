package dev.runwire.model.command;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The caller reports the result of a step that waits for it (an {@code external} action): the step succeeds with this
 * output if it satisfies the action's output schema, and the run goes on.
 *
 * @param runId
 *            the run
 * @param ownerId
 *            its owner
 * @param stepId
 *            the step that waits
 * @param output
 *            the result, checked by the api-service against the schema the step announced
 * @param reportedAt
 *            when
 */
public record StepResultReported(UUID runId, UUID ownerId, String stepId, JsonNode output, Instant reportedAt)
        implements RunCommand {

    public static final String TYPE = "run.step-result-reported.v1";
}

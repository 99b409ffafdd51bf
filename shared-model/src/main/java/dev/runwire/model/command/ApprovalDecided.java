package dev.runwire.model.command;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Somebody decided an approval the run asked for.
 *
 * @param runId
 *            the run
 * @param ownerId
 *            its owner
 * @param stepId
 *            the step, or null for the run's start
 * @param decision
 *            {@code APPROVE} or {@code DENY}
 * @param inputHash
 *            the hash of the input that was approved (from the token); the executor checks it is the step's input
 * @param editedInput
 *            an approved, changed input that replaces the step's input, checked against its schema; or null
 * @param decidedAt
 *            when
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApprovalDecided(UUID runId, UUID ownerId, String stepId, String decision, String inputHash,
        JsonNode editedInput, Instant decidedAt) implements RunCommand {

    public static final String TYPE = "run.approval-decided.v1";
}

package dev.runwire.model.event;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.command.RunRequested;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunStatus;

/**
 * One thing that happened to a run: stored, streamed over SSE and delivered to callbacks.
 *
 * @param eventId
 *            stable id, derived from run id and sequence, so a replayed event is the same event
 * @param runId
 *            the run
 * @param seq
 *            per-run sequence, from 1, assigned once by the run's single writer (the executor)
 * @param type
 *            what happened
 * @param stepId
 *            the step, for step events
 * @param description
 *            what the step does, for step events
 * @param input
 *            the exact input the step sends, on {@code STEP_STARTED}
 * @param at
 *            when it happened
 * @param status
 *            the run's status after this event
 * @param output
 *            the step's or run's output, on success
 * @param error
 *            why it failed, on failure
 * @param approval
 *            the approve and deny tokens, on events that ask for an approval
 * @param connect
 *            the integration a step waits for a connection to and where to connect it, on STEP_AUTH_REQUIRED
 * @param expects
 *            the draft-7 schema a reported result must satisfy, on STEP_AWAITING_RESULT (null: any JSON)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunEvent(UUID eventId, UUID runId, long seq, RunEventType type, String stepId, String description,
        Instant at, RunStatus status, JsonNode input, JsonNode output, RunError error, ApprovalLinks approval,
        RunRequested.Connection connect, JsonNode expects) {

    /**
     * How to decide an approval: {@code GET /v1/runs/approval?token=} with either token.
     *
     * @param approveToken
     *            approves (also {@code POST /v1/runs/approval} with a changed input)
     * @param denyToken
     *            denies
     * @param expiresAt
     *            when both stop working
     */
    public record ApprovalLinks(String approveToken, String denyToken, Instant expiresAt) {
    }

    public static final String TYPE = "run.event.v1";

    /** This event without the step's input and output: what a stream shows when tool calls are not wanted. */
    public RunEvent withoutToolCall() {
        if (stepId == null) {
            return this;
        }
        return new RunEvent(eventId, runId, seq, type, stepId, description, at, status, null, null, error, approval,
                connect, expects);
    }

    /** The stable id of the {@code seq}-th event of a run. */
    public static UUID idFor(UUID runId, long seq) {
        return UUID.nameUUIDFromBytes((runId + "/" + seq).getBytes(StandardCharsets.UTF_8));
    }
}

package dev.runwire.model.command;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a step whose outcome is unknown ended, as its caller says (or its wait expired). The api-service records one
 * resolution per step (a second is refused) and sends it through the outbox, keyed by the run, so whichever executor
 * holds the run applies it, once. See docs/adr/0035-action-safety-and-outcome-unknown.md.
 *
 * @param runId
 *            the run
 * @param ownerId
 *            its owner
 * @param stepId
 *            the step whose outcome was unknown
 * @param outcome
 *            {@link #SUCCEEDED} (with the output), {@link #FAILED}, or {@link #EXPIRED} (nobody said in time)
 * @param output
 *            for {@code succeeded}: the call's output, checked against the action's output schema; else null
 * @param resolvedAt
 *            when
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutcomeResolved(UUID runId, UUID ownerId, String stepId, String outcome, JsonNode output,
        Instant resolvedAt) implements RunCommand {

    public static final String TYPE = "run.outcome-resolved.v1";

    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String EXPIRED = "expired";
}

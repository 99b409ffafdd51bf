package dev.runwire.model.command;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A run was accepted and must be carried out.
 *
 * @param runId
 *            the run
 * @param ownerId
 *            the tenant the run belongs to
 * @param acceptedAt
 *            when the api-service accepted it
 * @param steps
 *            the plan: steps with their dependencies
 * @param passThrough
 *            the caller's pass-through credentials, sealed; null when none
 */
public record RunRequested(UUID runId, UUID ownerId, Instant acceptedAt, List<PlanStep> steps, SealedSecret passThrough)
        implements RunCommand {

    public static final String TYPE = "run.requested.v1";
}

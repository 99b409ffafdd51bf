package dev.runwire.model.command;

import java.time.Instant;
import java.util.UUID;

/**
 * The owner asked to abort a run: steps not started never start, calls in flight are cancelled, the run ends CANCELED.
 *
 * @param runId
 *            the run
 * @param ownerId
 *            the tenant the run belongs to
 * @param requestedAt
 *            when the api-service accepted the abort
 */
public record RunAbortRequested(UUID runId, UUID ownerId, Instant requestedAt) implements RunCommand {

    public static final String TYPE = "run.abort-requested.v1";
}

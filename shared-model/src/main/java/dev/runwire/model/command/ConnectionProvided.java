package dev.runwire.model.command;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The run's user connected an account to an integration the run waits for: its credentials, as pass-through entries
 * sealed for this run, and the steps of that integration may go on.
 *
 * @param runId
 *            the run
 * @param ownerId
 *            its owner
 * @param integrationKey
 *            the integration now connected
 * @param passThrough
 *            the credentials as a sealed pass-through list (bound to the run id)
 * @param connectedAt
 *            when
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConnectionProvided(UUID runId, UUID ownerId, String integrationKey, SealedSecret passThrough,
        Instant connectedAt) implements RunCommand {

    public static final String TYPE = "run.connection-provided.v1";
}

package dev.runwire.model.command;

import java.time.Instant;
import java.util.UUID;

/**
 * A run waited in AUTH_REQUIRED longer than the configured time: the steps still waiting for a connection fail and the
 * run ends FAILED with that reason. A run that is no longer waiting by then is left as it is.
 *
 * @param runId
 *            the run
 * @param ownerId
 *            its owner
 * @param waitingSince
 *            when the run went AUTH_REQUIRED, as the read model saw it
 */
public record AuthRequiredExpired(UUID runId, UUID ownerId, Instant waitingSince) implements RunCommand {

    public static final String TYPE = "run.auth-required-expired.v1";
}

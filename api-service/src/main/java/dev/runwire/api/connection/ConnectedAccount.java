package dev.runwire.api.connection;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A connected account as stored, without its credentials (the columns of {@link ConnectedAccounts#COLUMNS}).
 *
 * @param status
 *            {@code initiated}, {@code active}, {@code expired}, {@code failed} or {@code revoked}
 */
public record ConnectedAccount(UUID id, UUID ownerId, String integrationKey, String userId, String entityId,
        String status, String statusReason, OffsetDateTime expiresAt, long credentialsVersion, OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {
}

package dev.runwire.api.run;

import java.time.OffsetDateTime;
import java.util.UUID;

import dev.runwire.api.callback.DeliverySurface;
import dev.runwire.model.run.RunStatus;

/**
 * A run as stored in {@code api.runs}, typed: what the run views and the callback bodies are built from. Only
 * {@code RunStore.record} knows the column names. JSON columns are kept as their text, as stored.
 *
 * @param actionId
 *            the action version a single-action run ran; null for a plan run
 * @param surface
 *            the surface that accepted the run, whose read shape its callbacks take
 * @param storedActionId
 *            the Zapier stored action a stored-action run ran
 */
public record RunRecord(UUID id, UUID ownerId, String userId, UUID actionId, String actionKey, Integer actionVersion,
        String intent, String context, String repeatKey, UUID repeatRunId, UUID executionPlanId, RunStatus status,
        String resultJson, String errorJson, String planJson, String callbackUrl, DeliverySurface surface,
        UUID storedActionId, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}

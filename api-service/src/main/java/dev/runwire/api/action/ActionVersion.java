package dev.runwire.api.action;

import java.time.Instant;
import java.util.UUID;

import dev.runwire.model.action.ActionSafety;

/**
 * One immutable version of an action: a row of {@code api.actions} as {@link ActionVersions} reads it. A change is a
 * new row with the next version; runs pin the version they used. JSON parts are kept as text and read through the
 * shared mapper.
 *
 * @param retry
 *            the retry policy as JSON, or null for one attempt
 * @param safety
 *            what the version declares about its side effects (ADR 0035)
 * @param keyCreatedAt
 *            when the action's first version was created; every later version keeps it
 */
public record ActionVersion(UUID id, UUID ownerId, String key, int version, boolean active, String intent,
        String description, String type, String inputSchema, String outputSchema, boolean useDefaultMapping,
        String outputMapping, String http, int timeoutMs, String retry, ActionSafety safety, Instant keyCreatedAt,
        Instant createdAt) {

    /** This version switched off. */
    ActionVersion deactivated() {
        return new ActionVersion(id, ownerId, key, version, false, intent, description, type, inputSchema, outputSchema,
                useDefaultMapping, outputMapping, http, timeoutMs, retry, safety, keyCreatedAt, createdAt);
    }
}

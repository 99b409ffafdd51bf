package dev.runwire.api.action;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.command.RetryPolicy;

/**
 * Body of a new action or a new version of one (fields as in the toolregistry actions API, plus the request template of
 * an {@code http} action and its safety declaration). The declaration's parts are taken as JSON so that a value of the
 * wrong type is refused like a wrong value (422 with its pointer), by {@link ActionService}.
 *
 * @param sideEffects
 *            {@code none}, {@code idempotent} or {@code non_idempotent} (default)
 * @param destructive
 *            boolean; default true unless {@code sideEffects} is {@code none}
 * @param acceptsIdempotencyKey
 *            boolean, default false: whether the provider honours the {@code Idempotency-Key} Runwire sends
 */
public record ActionRequest(String key, String intent, String description, JsonNode inputSchema, JsonNode outputSchema,
        Boolean useDefaultMapping, String type, HttpTemplate http, Map<String, String> outputMapping, Integer timeoutMs,
        RetryPolicy retry, JsonNode sideEffects, JsonNode destructive, JsonNode acceptsIdempotencyKey) {

    /** The request an {@code http} action sends; see {@code HttpSpec} for the template syntax. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record HttpTemplate(String integrationKey, String method, String path, Map<String, String> headers,
            Map<String, String> query, Map<String, String> body) {
    }
}

package dev.runwire.api.action;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.action.SideEffects;
import dev.runwire.model.command.RetryPolicy;
import dev.runwire.model.json.Json;

/** An action version as the API shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ActionView(String key, int version, String intent, String description, JsonNode inputSchema,
        JsonNode outputSchema, boolean useDefaultMapping, String type, ActionRequest.HttpTemplate http,
        Map<String, String> outputMapping, int timeoutMs, RetryPolicy retry, SideEffects sideEffects,
        boolean destructive, boolean acceptsIdempotencyKey, String status, Instant createdAt, Instant updatedAt) {

    static ActionView of(ActionVersion a) {
        return new ActionView(a.key(), a.version(), a.intent(), a.description(), Json.tree(a.inputSchema()),
                Json.tree(a.outputSchema()), a.useDefaultMapping(), a.type(),
                Json.read(a.http(), new TypeReference<ActionRequest.HttpTemplate>() {
                }), Json.read(a.outputMapping(), new TypeReference<Map<String, String>>() {
                }), a.timeoutMs(), Json.read(a.retry(), RetryPolicy.class), a.safety().sideEffects(),
                a.safety().destructive(), a.safety().acceptsIdempotencyKey(), a.active() ? "active" : "inactive",
                a.keyCreatedAt(), a.createdAt());
    }
}

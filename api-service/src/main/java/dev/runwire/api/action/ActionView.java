package dev.runwire.api.action;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.json.Json;

/** An action version as the API shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ActionView(String key, int version, String intent, String description, JsonNode inputSchema,
        JsonNode outputSchema, boolean useDefaultMapping, String type, ActionRequest.HttpTemplate http,
        Map<String, String> outputMapping, int timeoutMs, String status, Instant createdAt, Instant updatedAt) {

    static ActionView of(ActionVersion a) {
        return new ActionView(a.key, a.version, a.intent, a.description, tree(a.inputSchema), tree(a.outputSchema),
                a.useDefaultMapping, a.type, read(a.http, new TypeReference<ActionRequest.HttpTemplate>() {
                }), read(a.outputMapping, new TypeReference<Map<String, String>>() {
                }), a.timeoutMs, a.active ? "active" : "inactive", a.keyCreatedAt, a.createdAt);
    }

    static JsonNode tree(String json) {
        try {
            return json == null ? null : Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T read(String json, TypeReference<T> type) {
        try {
            return json == null ? null : Json.mapper().readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

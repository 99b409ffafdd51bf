package dev.runwire.api.zapier;

import java.time.OffsetDateTime;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A stored action as stored ({@link StoredActionStore} builds it) and as Zapier's Actions API shows it, in a JSON:API
 * {@code data} member.
 */
public record StoredActionView(String type, UUID id, @JsonProperty("selected_api") String selectedApi,
        @JsonProperty("action_type") String actionType, @JsonProperty("action_key") String actionKey,
        @JsonProperty("connection_id") String connectionId, String title, JsonNode inputs,
        @JsonProperty("created_at") OffsetDateTime createdAt, @JsonProperty("updated_at") OffsetDateTime updatedAt) {

    /** What a client sets: the triple that names the action, its preset inputs, an optional connection and title. */
    public record Attributes(@JsonProperty("selected_api") String selectedApi,
            @JsonProperty("action_type") String actionType, @JsonProperty("action_key") String actionKey,
            @JsonProperty("connection_id") String connectionId, String title, JsonNode inputs) {
    }

    Attributes attributes() {
        return new Attributes(selectedApi, actionType, actionKey, connectionId, title, inputs);
    }
}

package dev.runwire.api.zapier;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** The request bodies of Zapier's Actions API: each is a JSON:API document with one {@code data} member. */
public final class ZapierRequests {

    private ZapierRequests() {
    }

    /** {@code {"data": ...}}. */
    public record Document<T>(T data) {
    }

    /** Running a stored action: inputs merged over the stored ones. */
    public record StoredActionRun(JsonNode inputs, @JsonProperty("callback_url") String callbackUrl,
            @JsonProperty("idempotency_id") String idempotencyId, String page) {
    }

    /** A one-off action run: the action named by its key (and optionally its integration). */
    public record ActionRun(String action, @JsonProperty("selected_api") String selectedApi, JsonNode inputs,
            @JsonProperty("callback_url") String callbackUrl, @JsonProperty("idempotency_id") String idempotencyId,
            String authentication) {
    }

    /** The answer to a run request. */
    public record RunAccepted(String type, String id) {
    }
}

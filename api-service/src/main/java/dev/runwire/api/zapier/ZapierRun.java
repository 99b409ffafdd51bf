package dev.runwire.api.zapier;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.api.run.RunRecord;
import dev.runwire.model.json.Json;

/**
 * A run as Zapier's Actions API reads it: {@code status} is {@code waiting} until the run ends, then {@code success} or
 * {@code error}; {@code results} is a list (possibly empty); {@code errors} what the action reported.
 */
public record ZapierRun(String type, UUID id, String status, List<JsonNode> results,
        @JsonProperty("next_page") String nextPage, List<Map<String, Object>> errors) {

    /** The view of a stored run. */
    public static ZapierRun of(RunRecord run) {
        String status = switch (run.status()) {
        case SUCCESS -> "success";
        case QUEUED, RUNNING, PAUSED -> "waiting";
        default -> "error";
        };
        JsonNode result = Json.tree(run.resultJson());
        List<JsonNode> results = new java.util.ArrayList<>();
        if (result != null && result.isArray()) {
            result.forEach(results::add);
        } else if (result != null && !result.isNull()) {
            results.add(result);
        }
        JsonNode error = Json.tree(run.errorJson());
        List<Map<String, Object>> errors = List.of();
        if (!"success".equals(status) && !"waiting".equals(status) && error != null && !error.isNull()) {
            Map<String, Object> reported = new java.util.LinkedHashMap<>();
            reported.put("status", error.path("httpStatus").isInt() ? error.get("httpStatus").asInt() : null);
            reported.put("code", error.path("code").asText("run_failed"));
            reported.put("title", "Action Failed");
            reported.put("detail", error.path("message").asText(""));
            errors = List.of(reported);
        }
        return new ZapierRun("run", run.id(), status, results, "0", errors);
    }
}

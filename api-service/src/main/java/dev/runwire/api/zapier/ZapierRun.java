package dev.runwire.api.zapier;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import io.vertx.mutiny.sqlclient.Row;

import dev.runwire.model.json.Json;

/**
 * A run as Zapier's Actions API reads it: {@code status} is {@code waiting} until the run ends, then {@code success} or
 * {@code error}; {@code results} is a list (possibly empty); {@code errors} what the action reported.
 */
public record ZapierRun(String type, UUID id, String status, List<JsonNode> results,
        @JsonProperty("next_page") String nextPage, List<Map<String, Object>> errors) {

    /** The view of a stored run row (selected with {@code result_json} and {@code error_json}). */
    public static ZapierRun of(Row row) {
        String status = switch (row.getString("status")) {
        case "SUCCESS" -> "success";
        case "QUEUED", "RUNNING", "PAUSED" -> "waiting";
        default -> "error";
        };
        JsonNode result = Json.tree(row.getString("result_json"));
        List<JsonNode> results = new java.util.ArrayList<>();
        if (result != null && result.isArray()) {
            result.forEach(results::add);
        } else if (result != null && !result.isNull()) {
            results.add(result);
        }
        JsonNode error = Json.tree(row.getString("error_json"));
        List<Map<String, Object>> errors = List.of();
        if (!"success".equals(status) && !"waiting".equals(status) && error != null && !error.isNull()) {
            Map<String, Object> reported = new java.util.LinkedHashMap<>();
            reported.put("status", error.path("httpStatus").isInt() ? error.get("httpStatus").asInt() : null);
            reported.put("code", error.path("code").asText("run_failed"));
            reported.put("title", "Action Failed");
            reported.put("detail", error.path("message").asText(""));
            errors = List.of(reported);
        }
        return new ZapierRun("run", row.getUUID("id"), status, results, "0", errors);
    }
}

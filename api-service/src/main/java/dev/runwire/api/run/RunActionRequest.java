package dev.runwire.api.run;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Body of {@code POST /v1/actions/run}.
 *
 * @param key
 *            the action to run
 * @param userId
 *            the end user the run is for
 * @param input
 *            the action's input
 * @param passThrough
 *            per-run data for the integration calls (headers, query), never stored
 */
public record RunActionRequest(String key, String userId, JsonNode input, JsonNode passThrough) {
}

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
 * @param async
 *            answer 202 with the run id at once instead of waiting for the end
 * @param callbackUrl
 *            where the run's end is POSTed (Standard Webhooks), whether the request waited or not
 */
public record RunActionRequest(String key, String userId, JsonNode input, JsonNode passThrough, Boolean async,
        String callbackUrl) {
}

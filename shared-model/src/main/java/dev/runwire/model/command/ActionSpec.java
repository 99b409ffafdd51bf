package dev.runwire.model.command;

import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.action.ActionSafety;

/**
 * The pinned version of an action a step runs: everything the executor needs, so it never reads the registry.
 *
 * @param actionId
 *            id of this immutable action version
 * @param key
 *            the action's key
 * @param version
 *            version number
 * @param type
 *            {@code http} (the executor calls the integration) or {@code external} (the caller carries the action out
 *            and reports its result, e.g. talkover's transfer, hold and external actions)
 * @param http
 *            the request template for {@code http} actions
 * @param useDefaultMapping
 *            when true the integration's JSON body is the output
 * @param outputMapping
 *            output property to JSON pointer into the response body, when not default
 * @param inputSchema
 *            draft-7 schema the input must satisfy, or null; the executor checks inputs that took values from earlier
 *            steps' outputs
 * @param outputSchema
 *            draft-7 schema the output must satisfy, or null
 * @param timeoutMs
 *            timeout of one integration call
 * @param retry
 *            how failed calls are retried; null for a single attempt
 * @param safety
 *            what the version declares about its side effects; null (commands older than the declaration) is the safe
 *            default, {@link ActionSafety#DEFAULT}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ActionSpec(UUID actionId, String key, int version, String type, HttpSpec http, boolean useDefaultMapping,
        Map<String, String> outputMapping, JsonNode inputSchema, JsonNode outputSchema, long timeoutMs,
        RetryPolicy retry, ActionSafety safety) {

    public static final String HTTP = "http";
    public static final String EXTERNAL = "external";

    /** The declared safety, or the safe default when the command carries none. */
    @Override
    public ActionSafety safety() {
        return safety == null ? ActionSafety.DEFAULT : safety;
    }

    /** Whether the step waits for its caller to report the result instead of calling anything. */
    public boolean awaitsResult() {
        return EXTERNAL.equals(type);
    }

    /** Attempts in all (1 without a retry policy). */
    public int maxAttempts() {
        return retry == null ? 1 : retry.maxAttempts();
    }
}

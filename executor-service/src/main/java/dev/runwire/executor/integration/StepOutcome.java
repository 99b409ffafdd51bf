package dev.runwire.executor.integration;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.run.RunError;

/**
 * What one integration call produced: an output, or the reason it failed.
 *
 * @param requestSent
 *            for a failure: whether the request may have reached the integration (it was being written or had been
 *            written when no answer came). False when the call failed before a byte was sent (no address, refused
 *            connection, egress refused), so calling again cannot repeat an effect.
 */
public record StepOutcome(JsonNode output, RunError error, boolean requestSent) {

    public static StepOutcome success(JsonNode output) {
        return new StepOutcome(output, null, true);
    }

    /** A failure before anything reached the integration, or one it answered (its answer says what happened). */
    public static StepOutcome failure(RunError error) {
        return new StepOutcome(null, error, false);
    }

    /** A failure after the request was (maybe partly) sent, with no answer: the integration may have acted on it. */
    public static StepOutcome lostAfterSending(RunError error) {
        return new StepOutcome(null, error, true);
    }

    public boolean succeeded() {
        return error == null;
    }
}

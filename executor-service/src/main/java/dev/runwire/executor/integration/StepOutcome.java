package dev.runwire.executor.integration;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.run.RunError;

/** What one integration call produced: an output, or the reason it failed. */
public record StepOutcome(JsonNode output, RunError error) {

    public static StepOutcome success(JsonNode output) {
        return new StepOutcome(output, null);
    }

    public static StepOutcome failure(RunError error) {
        return new StepOutcome(null, error);
    }

    public boolean succeeded() {
        return error == null;
    }
}

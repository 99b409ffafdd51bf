package dev.runwire.executor.plan;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.command.PlanStep;

/**
 * A call to start once the transition that asked for it is stored: the step with its resolved input, after
 * {@code delayMillis} (a retry's back-off; 0 for at once).
 */
public record Launch(PlanStep step, JsonNode input, long delayMillis) {

    public Launch(PlanStep step, JsonNode input) {
        this(step, input, 0);
    }
}

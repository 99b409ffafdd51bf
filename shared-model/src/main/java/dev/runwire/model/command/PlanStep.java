package dev.runwire.model.command;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One step of a run's plan.
 *
 * @param stepId
 *            id unique within the run; part of the step's idempotency key
 * @param description
 *            what the step does, in words
 * @param dependsOn
 *            ids of steps that must succeed first
 * @param action
 *            the pinned action version
 * @param input
 *            the validated input
 */
public record PlanStep(String stepId, String description, List<String> dependsOn, ActionSpec action, JsonNode input) {
}

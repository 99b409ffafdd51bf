package dev.runwire.api.planner;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.command.PlanStep;

/**
 * A run's plan as stored, shown and given: the runs API's {@code ExecPlanByIdResponseDto} ({@code planType},
 * {@code plan} with {@code description} and {@code steps} of {@code id, description, dependsOnSteps}), each step also
 * naming the action it runs and its input. A repeat runs the stored plan again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanView(String planType, Plan plan) {

    /** The plan itself. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Plan(String title, String description, List<Step> steps) {
    }

    /**
     * One step. {@code input} may hold references to earlier steps' outputs: {@code {"$fromStep": "A", "$pointer":
     * "/id"}}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String id, String description, List<String> dependsOnSteps, ActionRef action, JsonNode input) {
    }

    /** The action a step runs; without a version, its newest. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ActionRef(String key, Integer version) {
    }

    public static PlanView of(String title, String description, List<PlanStep> steps) {
        return new PlanView("json",
                new Plan(title, description,
                        steps.stream()
                                .map(step -> new Step(step.stepId(), step.description(), step.dependsOn(),
                                        new ActionRef(step.action().key(), step.action().version()), step.input()))
                                .toList()));
    }
}

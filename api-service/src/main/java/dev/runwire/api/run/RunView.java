package dev.runwire.api.run;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.runwire.api.planner.PlanView;
import dev.runwire.model.json.Json;

/**
 * A run as the API shows it (toolregistry's RunDto, plus the action it ran and its error). {@code plan} (the plan as
 * stored: steps, their {@code dependsOnSteps}, actions and inputs) only when one run is read, not in lists or callback
 * bodies.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(UUID runId, String repeatKey, UUID repeatRunId, String status, UUID executionPlanId,
        PlanView plan, List<Object> events, Object result, Object error, String intent, String context, String userId,
        String actionKey, Integer actionVersion, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    /** The view of a stored run, without its plan. */
    public static RunView of(RunRecord run, List<Object> events) {
        return of(run, null, events);
    }

    /** The view of a stored run with its plan (when the record was read with it). */
    public static RunView withPlan(RunRecord run, List<Object> events) {
        return of(run, run.planJson() == null ? null : Json.read(run.planJson(), PlanView.class), events);
    }

    private static RunView of(RunRecord run, PlanView plan, List<Object> events) {
        return new RunView(run.id(), run.repeatKey(), run.repeatRunId(), run.status().name(), run.executionPlanId(),
                plan, events, Json.tree(run.resultJson()), Json.tree(run.errorJson()), run.intent(), run.context(),
                run.userId(), run.actionKey(), run.actionVersion(), run.createdAt(), run.updatedAt());
    }
}

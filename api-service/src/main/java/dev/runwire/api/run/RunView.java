package dev.runwire.api.run;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.runwire.model.json.Json;

/** A run as the API shows it (toolregistry's RunDto, plus the action it ran and its error). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(UUID runId, String repeatKey, UUID repeatRunId, String status, UUID executionPlanId,
        List<Object> events, Object result, Object error, String intent, String context, String userId,
        String actionKey, Integer actionVersion, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    /** The view of a stored run. */
    public static RunView of(RunRecord run, List<Object> events) {
        return new RunView(run.id(), run.repeatKey(), run.repeatRunId(), run.status().name(), run.executionPlanId(),
                events, Json.tree(run.resultJson()), Json.tree(run.errorJson()), run.intent(), run.context(),
                run.userId(), run.actionKey(), run.actionVersion(), run.createdAt(), run.updatedAt());
    }
}

package dev.runwire.api.run;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.vertx.mutiny.sqlclient.Row;

import dev.runwire.model.json.Json;

/** A run as the API shows it (toolregistry's RunDto, plus the action it ran and its error). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(UUID runId, String repeatKey, UUID repeatRunId, String status, UUID executionPlanId,
        List<Object> events, Object result, Object error, String intent, String context, String userId,
        String actionKey, Integer actionVersion, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    /** The view of a stored run row (selected with {@code result_json} and {@code error_json}). */
    public static RunView of(Row row, List<Object> events) {
        return new RunView(row.getUUID("id"), row.getString("repeat_key"), row.getUUID("repeat_run_id"),
                row.getString("status"), row.getUUID("execution_plan_id"), events,
                Json.tree(row.getString("result_json")), Json.tree(row.getString("error_json")),
                row.getString("intent"), row.getString("context"), row.getString("user_id"),
                row.getString("action_key"), row.getInteger("action_version"), row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("updated_at"));
    }
}

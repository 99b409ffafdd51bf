package dev.runwire.api.run;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.api.planner.PlanView;

/**
 * {@code POST /v1/runs}: the runs API's CreateRunRequest, plus an explicit {@code plan}.
 *
 * @param intent
 *            what the run should achieve
 * @param selectedCustomerIntegrationIds
 *            the integrations (by key) the run may use, or {@code ["*"]} for all
 * @param context
 *            additional context
 * @param userId
 *            the user on whose behalf the run acts
 * @param approvalStrategy
 *            {@code NONE}, {@code ON_START} or {@code ON_TOOL_CALL}
 * @param repeatKey
 *            repeat the run that holds this key; or the key this run gets
 * @param outputSchema
 *            draft-7 schema the run's result must satisfy
 * @param passThrough
 *            per-integration headers and query for this run only
 * @param plan
 *            the steps to run
 * @param callbackUrl
 *            where the run's pauses and end are POSTed (Standard Webhooks)
 */
public record CreateRunRequest(String intent, List<String> selectedCustomerIntegrationIds, String context,
        String userId, String approvalStrategy, String repeatKey, JsonNode outputSchema, JsonNode passThrough,
        PlanView.Plan plan, String callbackUrl) {
}

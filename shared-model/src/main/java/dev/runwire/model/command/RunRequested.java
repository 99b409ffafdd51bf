package dev.runwire.model.command;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A run was accepted and must be carried out.
 *
 * @param runId
 *            the run
 * @param ownerId
 *            the tenant the run belongs to
 * @param acceptedAt
 *            when the api-service accepted it
 * @param kind
 *            a single action run or a plan; they differ in how a failed step ends the run
 * @param steps
 *            the plan: steps with their dependencies
 * @param outputSchema
 *            draft-7 schema the run's result (its steps' outputs by step id) must satisfy, or null
 * @param passThrough
 *            the caller's pass-through credentials, sealed; null when none
 * @param approvalStrategy
 *            {@code ON_START}, {@code ON_TOOL_CALL}, or null for none
 * @param awaitingConnections
 *            integrations whose connected account the run's user lacked when it was accepted: their steps wait in
 *            AUTH_REQUIRED until a {@link ConnectionProvided} comes; null when none
 * @param userId
 *            the end user the run acts for (connect links name them); null for older commands
 * @param approveDestructive
 *            the owner's policy: each step whose action is destructive waits for approval whatever the approval
 *            strategy (ADR 0035); null (older commands) is false
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRequested(UUID runId, UUID ownerId, Instant acceptedAt, Kind kind, List<PlanStep> steps,
        JsonNode outputSchema, SealedSecret passThrough, String approvalStrategy, List<Connection> awaitingConnections,
        String userId, Boolean approveDestructive) implements RunCommand {

    /**
     * An integration the run waits for a connection to, and where the user connects one.
     *
     * @param reason
     *            {@code missing} (no account when the run was accepted), {@code credentials_invalid} (the integration
     *            refused the account's credentials) or {@code credentials_expired} (its access token ends before the
     *            step would call)
     * @param accountId
     *            for {@code credentials_invalid}: the account whose credentials were refused
     * @param credentialsVersion
     *            for {@code credentials_invalid}: which version of its credentials (a refresh makes a new one)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Connection(String integrationKey, String connectUrl, String reason, UUID accountId,
            Long credentialsVersion) {

        public static final String MISSING = "missing";
        public static final String CREDENTIALS_INVALID = "credentials_invalid";
        /** The access token ends (within the refresh skew) before the step would call: refreshed first, not used. */
        public static final String CREDENTIALS_EXPIRED = "credentials_expired";

        public static Connection missing(String integrationKey, String userId) {
            return new Connection(integrationKey, urlFor(integrationKey, userId), MISSING, null, null);
        }

        /** Where a user connects an account to an integration. */
        public static String urlFor(String integrationKey, String userId) {
            return "/v1/connected-accounts?integrationKey="
                    + java.net.URLEncoder.encode(integrationKey, java.nio.charset.StandardCharsets.UTF_8)
                    + (userId == null ? ""
                            : "&userId=" + java.net.URLEncoder.encode(userId, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    public static final String ON_START = "ON_START";
    public static final String ON_TOOL_CALL = "ON_TOOL_CALL";

    public static final String TYPE = "run.requested.v1";

    /** What the run was asked as. */
    public enum Kind {
        /** {@code POST /v1/actions/run}: one step; its failure is the run's failure, its output the run's result. */
        ACTION,
        /** {@code POST /v1/runs}: steps with dependencies; step failures make a partial or no success. */
        PLAN
    }

    /** Whether the step's call waits for an approval: the run asks it of every call, or of destructive ones. */
    public boolean approvesEachCall(PlanStep step) {
        return ON_TOOL_CALL.equals(approvalStrategy)
                || Boolean.TRUE.equals(approveDestructive) && step.action().safety().destructive();
    }

    /** Older commands carry no kind: they were single action runs. */
    public Kind kindOrDefault() {
        return kind == null ? Kind.ACTION : kind;
    }
}

package dev.runwire.api.auth;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.api.ratelimit.RateSubject;

/**
 * Who a request acts as, whichever credential it presented.
 *
 * @param ownerId
 *            the owner every query is scoped to
 * @param subject
 *            what rate limits count against: an API key, or a JWT's issuer and subject
 * @param exempt
 *            not rate limited
 * @param limit
 *            requests per window
 * @param billable
 *            whether successful runs of this request consume a task
 * @param billing
 *            the JWT's billing claim (origin, usage type, ...), recorded with each charge; null otherwise
 * @param approveDestructive
 *            the owner's policy: every call of a destructive action waits for approval (ADR 0035)
 */
public record Principal(UUID ownerId, String subject, boolean exempt, int limit, boolean billable, JsonNode billing,
        boolean approveDestructive) implements RateSubject {
}

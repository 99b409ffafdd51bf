package dev.runwire.api.auth;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.model.json.Json;

/**
 * Who a presented token is: an API key's owner with the owner's policy, or a JWT of the configured issuer with its
 * {@code rate_limit} and {@code billing} claims over that policy (ADR 0018). Used by every surface, the SSE route
 * included.
 */
@ApplicationScoped
public class Authenticator {

    private final ApiKeys keys;
    private final Jwts jwts;
    private final OwnerPolicies policies;
    private final ApiConfig.RateLimit limits;

    Authenticator(ApiKeys keys, Jwts jwts, OwnerPolicies policies, ApiConfig config) {
        this.keys = keys;
        this.jwts = jwts;
        this.policies = policies;
        this.limits = config.rateLimit();
    }

    /**
     * The principal of a token: null for an unknown API key; a failed Uni with {@link Jwts.InvalidTokenException} for a
     * JWT that does not verify.
     */
    public Uni<Principal> principal(String token) {
        return jwts.configured() && Jwts.looksLikeJwt(token) ? fromJwt(token) : fromKey(token);
    }

    private Uni<Principal> fromKey(String key) {
        return keys.ownerOf(key).chain(
                ownerId -> ownerId == null ? Uni.createFrom().nullItem() : ofOwner(ownerId, "key:" + ApiKey.hash(key)));
    }

    /**
     * The principal of a credential of the owner's that is neither an API key nor a JWT (an MCP server's token), under
     * the owner's policy; null when there is no such owner. {@code subject} is what its rate limit counts against.
     */
    public Uni<Principal> ofOwner(UUID ownerId, String subject) {
        return policies.of(ownerId)
                .map(policy -> policy == null ? null
                        : new Principal(ownerId, subject, policy.exempt(),
                                policy.limitOverride() != null ? policy.limitOverride() : limits.defaultLimit(),
                                policy.billed(), null, policy.approveDestructive()));
    }

    /** The owner's policy with the token's {@code rate_limit} and {@code billing} claims over it. */
    private Uni<Principal> fromJwt(String token) {
        return jwts.verify(token).chain(verified -> policies.of(verified.ownerId()).map(policy -> {
            if (policy == null) {
                throw new Jwts.InvalidTokenException("the token's owner does not exist");
            }
            JsonNode rateLimit = claim(verified, "rate_limit");
            JsonNode billing = claim(verified, "billing");
            boolean exempt = rateLimit.path("exempt").asBoolean(policy.exempt());
            int limit = policy.limitOverride() != null ? policy.limitOverride() : limits.defaultLimit();
            JsonNode override = rateLimit.path("limit_override");
            if (!override.isMissingNode() && !override.isNull()) {
                if (!override.canConvertToInt() || override.asInt() < 1 || override.asInt() > limits.maxOverride()) {
                    throw new Jwts.InvalidTokenException(
                            "rate_limit.limit_override is a whole number from 1 to " + limits.maxOverride());
                }
                limit = override.asInt();
            }
            boolean billable = billing.path("is_billable").asBoolean(policy.billed());
            String subject = "jwt:" + verified.claims().getClaimValueAsString("iss") + ":" + verified.subject();
            return new Principal(verified.ownerId(), subject, exempt, limit, billable,
                    billing.isObject() ? billing : null, policy.approveDestructive());
        }));
    }

    /**
     * A claim that is a JSON object, or a JSON string holding one (the runs API's {@code billing} is such a string).
     */
    private static JsonNode claim(Jwts.Verified verified, String name) {
        Object value = verified.claims().getClaimValue(name);
        if (value == null) {
            return Json.mapper().missingNode();
        }
        JsonNode node = value instanceof String text ? Json.tree(text) : Json.mapper().valueToTree(value);
        if (node == null || !node.isObject()) {
            throw new Jwts.InvalidTokenException("the " + name + " claim is not a JSON object");
        }
        return node;
    }

}

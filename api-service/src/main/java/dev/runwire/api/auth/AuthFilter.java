package dev.runwire.api.auth;

import java.util.Map;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ApiException;
import dev.runwire.api.error.ErrorMappers;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.ratelimit.RateLimiter;
import dev.runwire.api.talkover.AgentResource;
import dev.runwire.model.json.Json;

/**
 * Authenticates every {@code /v1}, {@code /actions} (Zapier) and {@code /api} (Composio) request, by API key
 * ({@code x-api-key} or {@code Authorization: Bearer}) or by JWT ({@code Authorization: Bearer}, when an issuer is
 * configured), then counts it against its rate limit; every counted response carries the {@code X-RateLimit-*} headers.
 */
public class AuthFilter {

    private final ApiKeys keys;
    private final Jwts jwts;
    private final OwnerPolicies policies;
    private final RateLimiter limiter;
    private final Caller caller;
    private final ApiConfig.RateLimit limits;

    AuthFilter(ApiKeys keys, Jwts jwts, OwnerPolicies policies, RateLimiter limiter, Caller caller, ApiConfig config) {
        this.keys = keys;
        this.jwts = jwts;
        this.policies = policies;
        this.limiter = limiter;
        this.caller = caller;
        this.limits = config.rateLimit();
    }

    @ServerRequestFilter
    public Uni<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/v1/") && !path.equals("/v1") && !path.startsWith("/actions/")
                && !path.startsWith("/api/")) {
            return Uni.createFrom().nullItem();
        }
        String token = ApiKeys.presented(request::getHeaderString);
        boolean agents = path.startsWith("/api/v1/agents");
        if (token == null) {
            return Uni.createFrom().item(unauthorized(agents, "a valid API key or token is required"));
        }
        Uni<Principal> principal = jwts.configured() && Jwts.looksLikeJwt(token) ? fromJwt(token) : fromKey(token);
        return principal.chain(who -> {
            if (who == null) {
                return Uni.createFrom().item(unauthorized(agents, "the API key is not valid"));
            }
            caller.authenticate(who);
            return limiter.admit(who).map(decision -> {
                caller.counted(decision);
                return decision == null || decision.admitted() ? null : tooManyRequests(decision);
            });
        }).onFailure(Jwts.InvalidTokenException.class).recoverWithItem(e -> unauthorized(agents, e.getMessage()));
    }

    @ServerResponseFilter
    public void rateLimitHeaders(ContainerResponseContext response) {
        RateLimiter.Decision decision = caller.decision();
        if (decision != null) {
            headers(response.getHeaders(), decision);
        }
    }

    private Uni<Principal> fromKey(String key) {
        return keys.ownerOf(key)
                .chain(ownerId -> ownerId == null ? Uni.createFrom().nullItem()
                        : policies.of(ownerId).map(policy -> policy == null ? null
                                : new Principal(ownerId, "key:" + ApiKey.hash(key), policy.exempt(),
                                        policy.limitOverride() != null ? policy.limitOverride() : limits.defaultLimit(),
                                        policy.billed(), null)));
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
                    billing.isObject() ? billing : null);
        }));
    }

    /** A claim that is a JSON object, or a JSON string holding one (the seed's {@code billing} is such a string). */
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

    private static void headers(MultivaluedMap<String, Object> headers, RateLimiter.Decision decision) {
        headers.putSingle("X-RateLimit-Limit", decision.limit());
        headers.putSingle("X-RateLimit-Remaining", decision.remaining());
        headers.putSingle("X-RateLimit-Reset", decision.resetAt());
    }

    private static Response tooManyRequests(RateLimiter.Decision decision) {
        Response.ResponseBuilder response = Response.fromResponse(ErrorMappers.respond(new ErrorObject(429,
                "too_many_requests", "Too Many Requests", "Rate limit exceeded. Too many requests.", null, null)));
        response.header("Retry-After", decision.retryAfter());
        Map.of("X-RateLimit-Limit", decision.limit(), "X-RateLimit-Remaining", decision.remaining(),
                "X-RateLimit-Reset", decision.resetAt()).forEach(response::header);
        return response.build();
    }

    /** The 401 in the surface's own shape: talkover's envelope for its agents paths, JSON:API elsewhere. */
    private static Response unauthorized(boolean agents, String detail) {
        return agents ? AgentResource.failure(401, "Unauthenticated.", "INVALID_TOKEN")
                : ErrorMappers.respond(ApiException.unauthorized(detail).errors().get(0));
    }
}

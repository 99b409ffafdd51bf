package dev.runwire.api.auth;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.error.ApiException;
import dev.runwire.api.error.ErrorMappers;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.ratelimit.RateLimiter;
import dev.runwire.api.talkover.AgentResource;

/**
 * Authenticates every {@code /v1}, {@code /actions} (Zapier) and {@code /api} (Composio) request, by API key
 * ({@code x-api-key} or {@code Authorization: Bearer}) or by JWT ({@code Authorization: Bearer}, when an issuer is
 * configured), then counts it against its rate limit; every counted response carries the {@code X-RateLimit-*} headers.
 */
public class AuthFilter {

    private final Authenticator authenticator;
    private final RateLimiter limiter;
    private final Caller caller;

    AuthFilter(Authenticator authenticator, RateLimiter limiter, Caller caller) {
        this.authenticator = authenticator;
        this.limiter = limiter;
        this.caller = caller;
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
        boolean zapier = path.startsWith("/actions/");
        if (token == null) {
            return Uni.createFrom().item(unauthorized(agents, zapier, "a valid API key or token is required"));
        }
        return authenticator.principal(token).chain(who -> {
            if (who == null) {
                return Uni.createFrom().item(unauthorized(agents, zapier, "the API key is not valid"));
            }
            caller.authenticate(who);
            return limiter.admit(who).map(decision -> {
                caller.counted(decision);
                return decision == null || decision.admitted() ? null : tooManyRequests(decision);
            });
        }).onFailure(Jwts.InvalidTokenException.class)
                .recoverWithItem(e -> unauthorized(agents, zapier, e.getMessage()));
    }

    @ServerResponseFilter
    public void rateLimitHeaders(ContainerResponseContext response) {
        RateLimiter.Decision decision = caller.decision();
        if (decision != null) {
            headers(response.getHeaders(), decision);
        }
    }

    private static void headers(MultivaluedMap<String, Object> headers, RateLimiter.Decision decision) {
        RateLimiter.headers(decision).forEach(headers::putSingle);
    }

    private static Response tooManyRequests(RateLimiter.Decision decision) {
        ApiException refused = RateLimiter.tooManyRequests(decision);
        Response.ResponseBuilder response = Response.fromResponse(ErrorMappers.respond(refused.errors().get(0)));
        refused.headers().forEach(response::header);
        return response.build();
    }

    /**
     * The refusal in the surface's own shape and status: talkover's 401 envelope for its agents paths; Zapier's 403
     * {@code permission_denied} ("Permission denied. Unauthorized request." is the only refusal its seed documents); a
     * JSON:API 401 elsewhere.
     */
    private static Response unauthorized(boolean agents, boolean zapier, String detail) {
        if (agents) {
            return AgentResource.failure(401, "Unauthenticated.", "INVALID_TOKEN");
        }
        if (zapier) {
            return ErrorMappers.respond(new ErrorObject(403, "permission_denied", "Permission Denied",
                    "Permission denied. Unauthorized request (" + detail + ").", null, null));
        }
        return ErrorMappers.respond(ApiException.unauthorized(detail).errors().get(0));
    }
}

package dev.runwire.api.auth;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.error.ApiException;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.Surface;
import dev.runwire.api.ratelimit.RateLimiter;

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
        Surface surface = Surface.of(request.getUriInfo().getRequestUri().getRawPath());
        if (token == null) {
            return Uni.createFrom().item(unauthorized(surface, "a valid API key or token is required"));
        }
        return authenticator.principal(token).chain(who -> {
            if (who == null) {
                return Uni.createFrom().item(unauthorized(surface, "the API key is not valid"));
            }
            caller.authenticate(who);
            return limiter.admit(who).map(decision -> {
                caller.counted(decision);
                return decision == null || decision.admitted() ? null : tooManyRequests(surface, decision);
            });
        }).onFailure(Jwts.InvalidTokenException.class).recoverWithItem(e -> unauthorized(surface, e.getMessage()));
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

    private static Response tooManyRequests(Surface surface, RateLimiter.Decision decision) {
        ApiException refused = RateLimiter.tooManyRequests(decision);
        return surface.response(refused.status(), refused.errors(), refused.headers());
    }

    /**
     * The refusal in the surface's own shape and status: talkover's API says "Unauthenticated."; Zapier's answers 403
     * {@code permission_denied} ("Permission denied. Unauthorized request." is the only refusal its API documents); a
     * 401 elsewhere.
     */
    private static Response unauthorized(Surface surface, String detail) {
        if (surface == Surface.ZAPIER) {
            return surface.response(new ErrorObject(403, "permission_denied", "Permission Denied",
                    "Permission denied. Unauthorized request (" + detail + ").", null, null));
        }
        return surface.response(ApiException.unauthorized(surface == Surface.TALKOVER ? "Unauthenticated." : detail));
    }
}

package dev.runwire.api.auth;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.RunwireException;
import dev.runwire.api.error.Surface;
import dev.runwire.api.ratelimit.RateLimiter;

/**
 * Authenticates every request to a resource that asks for it ({@link ApiSurface#apiKey()}, all but the admin's and the
 * OAuth provider's redirect), by API key ({@code x-api-key} or {@code Authorization: Bearer}) or by JWT
 * ({@code Authorization: Bearer}, when an issuer is configured), then counts it against its rate limit; every counted
 * response carries the {@code X-RateLimit-*} headers. Refusals are rendered by the matched resource's surface.
 */
public class AuthFilter {

    private final Authenticator authenticator;
    private final Admission admission;
    private final Caller caller;

    AuthFilter(Authenticator authenticator, Admission admission, Caller caller) {
        this.authenticator = authenticator;
        this.admission = admission;
        this.caller = caller;
    }

    @ServerRequestFilter
    public Uni<Response> authenticate(ContainerRequestContext request, ResourceInfo resource) {
        Class<?> matched = resource == null ? null : resource.getResourceClass();
        ApiSurface declared = Surface.declared(matched);
        if (declared != null && !declared.apiKey()) {
            return Uni.createFrom().nullItem();
        }
        Surface surface = Surface.of(matched, request.getUriInfo().getRequestUri().getRawPath());
        String token = ApiKeys.presented(request::getHeaderString);
        if (token == null) {
            return Uni.createFrom().item(unauthenticated(surface, "a valid API key or token is required"));
        }
        return authenticator.principal(token).chain(who -> {
            if (who == null) {
                return Uni.createFrom().item(unauthenticated(surface, "the API key is not valid"));
            }
            return admission.admit(who, surface);
        }).onFailure(Jwts.InvalidTokenException.class).recoverWithItem(e -> unauthenticated(surface, e.getMessage()));
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

    /** The refusal, in the surface's own shape and status (talkover's "Unauthenticated.", Zapier's 403). */
    private static Response unauthenticated(Surface surface, String detail) {
        return surface.response(new RunwireException.Unauthenticated(detail));
    }
}

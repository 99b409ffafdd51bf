package dev.runwire.api.auth;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.error.Surface;
import dev.runwire.api.ratelimit.RateLimiter;

/**
 * Admits an authenticated principal as the request's caller, counted against its rate limit. {@link AuthFilter} does it
 * for every resource that asks for an API key; a resource that authenticates its own way (the MCP endpoint) does it
 * here, so its requests are counted and answered with the same {@code X-RateLimit-*} headers.
 */
@ApplicationScoped
public class Admission {

    private final RateLimiter limiter;
    private final Caller caller;

    Admission(RateLimiter limiter, Caller caller) {
        this.limiter = limiter;
        this.caller = caller;
    }

    /** Null when admitted; else the refusal (429) in the surface's shape. */
    public Uni<Response> admit(Principal who, Surface surface) {
        caller.authenticate(who);
        return limiter.admit(who).map(decision -> {
            caller.counted(decision);
            return decision == null || decision.admitted() ? null
                    : surface.response(RateLimiter.tooManyRequests(decision));
        });
    }

    /**
     * The {@code X-RateLimit-*} headers of the request admitted last on this request's context, for answers the
     * response filter does not see (streamed ones).
     */
    public Map<String, String> rateLimitHeaders() {
        RateLimiter.Decision decision = caller.decision();
        return decision == null ? Map.of() : RateLimiter.headers(decision);
    }
}

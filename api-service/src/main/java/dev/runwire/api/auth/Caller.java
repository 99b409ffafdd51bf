package dev.runwire.api.auth;

import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;

import dev.runwire.api.error.RunwireException.Unauthenticated;
import dev.runwire.api.ratelimit.RateLimiter;

/** Who is calling, and how the request stands against its rate limit. Set by {@link AuthFilter}. */
@RequestScoped
public class Caller {

    private Principal principal;
    private RateLimiter.Decision decision;

    void authenticate(Principal principal) {
        this.principal = principal;
    }

    void counted(RateLimiter.Decision decision) {
        this.decision = decision;
    }

    /** The caller's owner; every query is scoped to it. */
    public UUID ownerId() {
        return principal().ownerId();
    }

    public Principal principal() {
        if (principal == null) {
            throw new Unauthenticated("a valid API key or token is required");
        }
        return principal;
    }

    /** The request's rate-limit standing; null when it was not counted (exempt, or not authenticated). */
    RateLimiter.Decision decision() {
        return decision;
    }
}

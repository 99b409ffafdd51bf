package dev.runwire.api.auth;

import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;

import dev.runwire.api.error.ApiException;

/** Who is calling: the owner the request's API key belongs to. Set by {@link ApiKeyFilter}. */
@RequestScoped
public class Caller {

    private UUID ownerId;

    void authenticate(UUID ownerId) {
        this.ownerId = ownerId;
    }

    /** The caller's owner; every query is scoped to it. */
    public UUID ownerId() {
        if (ownerId == null) {
            throw ApiException.unauthorized("a valid API key is required");
        }
        return ownerId;
    }
}

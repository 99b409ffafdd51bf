package dev.runwire.api.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.ApiKey;
import dev.runwire.api.auth.Owner;
import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ApiException;

/** Creates owners and their first API key; authorized by the configured admin token. */
@Path("/admin/owners")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AdminResource {

    /** Body of a new owner. */
    public record NewOwner(String name) {
    }

    /** A created owner with its API key, shown this once. */
    public record CreatedOwner(UUID ownerId, String name, String apiKey) {
    }

    private final ApiConfig config;

    AdminResource(ApiConfig config) {
        this.config = config;
    }

    @POST
    @WithTransaction
    public Uni<Response> create(@HeaderParam("Authorization") String authorization, NewOwner body) {
        requireAdmin(authorization);
        if (body == null || body.name() == null || body.name().isBlank() || body.name().length() > 200) {
            throw ApiException.invalid("invalid_name", "name is required (1-200 characters)", "/name");
        }
        Owner owner = new Owner();
        owner.id = UUID.randomUUID();
        owner.name = body.name().trim();
        owner.createdAt = Instant.now();
        String key = ApiKey.generate();
        ApiKey apiKey = new ApiKey();
        apiKey.id = UUID.randomUUID();
        apiKey.ownerId = owner.id;
        apiKey.keyHash = ApiKey.hash(key);
        apiKey.prefix = key.substring(0, 8);
        apiKey.createdAt = owner.createdAt;
        return owner.persist().chain(() -> apiKey.persist())
                .map(ignored -> Response.status(201).entity(new CreatedOwner(owner.id, owner.name, key)).build());
    }

    private void requireAdmin(String authorization) {
        String expected = config.adminToken().orElse(null);
        String given = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
        if (expected == null || expected.isBlank() || given == null || !MessageDigest
                .isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
            throw ApiException.unauthorized("the admin token is missing or wrong");
        }
    }
}

package dev.runwire.api.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.OwnerPolicies;
import dev.runwire.api.billing.Billing;
import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.QueryParams;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.error.RunwireException.Unauthenticated;
import dev.runwire.api.error.Surface;

/** Creates owners and their first API key, credits tasks, sets rate limits; authorized by the admin token. */
@ApiSurface(value = Surface.NATIVE, apiKey = false)
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

    /** Tasks added to an owner's balance. */
    /** A ledger note is a line for people, not a document. */
    private static final int MAX_NOTE_LENGTH = 1000;

    public record Credit(Integer tasks, String note) {
    }

    /** An owner's rate limit for its API keys (JWT claims may still override per token). */
    public record RateLimitSetting(boolean exempt, Integer limitOverride) {
    }

    /**
     * An owner's approval policy: {@code always} makes every call of a destructive action wait for approval, on every
     * surface, whatever the request's approval strategy; {@code default} leaves it to the request.
     */
    public record ApprovalPolicySetting(String approvalForDestructive) {
    }

    private final ApiConfig config;
    private final Billing billing;
    private final OwnerPolicies policies;
    private final Owners owners;

    AdminResource(ApiConfig config, Billing billing, OwnerPolicies policies, Owners owners) {
        this.config = config;
        this.billing = billing;
        this.policies = policies;
        this.owners = owners;
    }

    /** Adds tasks; an owner without a balance starts being billed with this one. */
    @POST
    @Path("{ownerId}/tasks")
    public Uni<Billing.Account> credit(@HeaderParam("Authorization") String authorization,
            @PathParam("ownerId") String ownerId, Credit body) {
        requireAdmin(authorization);
        UUID id = owner(ownerId);
        if (body == null || body.tasks() == null || body.tasks() < 1 || body.tasks() > 100_000_000) {
            throw new Invalid("invalid_tasks", "tasks is a whole number from 1 to 100000000", "/tasks");
        }
        if (body.note() != null && body.note().length() > MAX_NOTE_LENGTH) {
            throw new Invalid("invalid_note", "note has at most " + MAX_NOTE_LENGTH + " characters", "/note");
        }
        return billing.credit(id, body.tasks(), body.note()).chain(done -> {
            if (!done) {
                throw new NotFound("no owner with id " + ownerId);
            }
            policies.forget(id);
            return billing.account(id, 10);
        });
    }

    @PUT
    @Path("{ownerId}/rate-limit")
    public Uni<RateLimitSetting> rateLimit(@HeaderParam("Authorization") String authorization,
            @PathParam("ownerId") String ownerId, RateLimitSetting body) {
        requireAdmin(authorization);
        UUID id = owner(ownerId);
        int max = config.rateLimit().maxOverride();
        if (body == null || body.limitOverride() != null && (body.limitOverride() < 1 || body.limitOverride() > max)) {
            throw new Invalid("invalid_limit", "limitOverride is a whole number from 1 to " + max, "/limitOverride");
        }
        return owners.setRateLimit(id, body.exempt(), body.limitOverride()).map(updated -> {
            if (!updated) {
                throw new NotFound("no owner with id " + ownerId);
            }
            policies.forget(id);
            return body;
        });
    }

    @PUT
    @Path("{ownerId}/approval-policy")
    public Uni<ApprovalPolicySetting> approvalPolicy(@HeaderParam("Authorization") String authorization,
            @PathParam("ownerId") String ownerId, ApprovalPolicySetting body) {
        requireAdmin(authorization);
        UUID id = owner(ownerId);
        if (body == null || !"always".equals(body.approvalForDestructive())
                && !"default".equals(body.approvalForDestructive())) {
            throw new Invalid("invalid_approval_policy", "approvalForDestructive is \"always\" or \"default\"",
                    "/approvalForDestructive");
        }
        return owners.setApprovalPolicy(id, body.approvalForDestructive()).map(updated -> {
            if (!updated) {
                throw new NotFound("no owner with id " + ownerId);
            }
            policies.forget(id);
            return body;
        });
    }

    private static UUID owner(String ownerId) {
        return QueryParams.id(ownerId, "owner");
    }

    @POST
    public Uni<Response> create(@HeaderParam("Authorization") String authorization, NewOwner body) {
        requireAdmin(authorization);
        if (body == null || body.name() == null || body.name().isBlank() || body.name().length() > 200) {
            throw new Invalid("invalid_name", "name is required (1-200 characters)", "/name");
        }
        return owners.create(body.name().trim()).map(created -> Response.status(201)
                .entity(new CreatedOwner(created.ownerId(), created.name(), created.apiKey())).build());
    }

    private void requireAdmin(String authorization) {
        requireAdmin(config, authorization);
    }

    /** A 401 unless the Authorization header carries the configured admin token. */
    static void requireAdmin(ApiConfig config, String authorization) {
        String expected = config.adminToken().orElse(null);
        String given = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
        if (expected == null || expected.isBlank() || given == null || !MessageDigest
                .isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
            throw new Unauthenticated("the admin token is missing or wrong");
        }
    }
}

package dev.runwire.api.integration;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.google.re2j.Pattern;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.Surface;
import dev.runwire.model.command.HttpSpec;
import dev.runwire.model.egress.EgressPolicy;

/** Integrations of the calling owner. */
@ApiSurface(Surface.NATIVE)
@Path("/v1/integrations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class IntegrationResource {

    /** Keys are short, URL-safe and lower case. */
    public static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    /** Body of a new integration. */
    public record IntegrationRequest(String key, String name, String baseUrl, AuthScheme auth,
            HttpSpec.CredentialCheck credentialsInvalid, Boolean active) {
    }

    /** A change of an integration; absent fields stay as they are. Its auth scheme never changes. */
    public record IntegrationPatch(String name, String baseUrl, HttpSpec.CredentialCheck credentialsInvalid,
            Boolean active) {
    }

    /** An integration as the API shows it (never its client secret). */
    public record IntegrationView(String key, String name, String baseUrl, AuthScheme auth,
            HttpSpec.CredentialCheck credentialsInvalid, boolean active, Instant createdAt, Instant updatedAt) {
    }

    private static final int MAX_PATTERN = 500;

    private final Caller caller;
    private final EgressPolicy egress;
    private final IntegrationService integrations;

    IntegrationResource(Caller caller, EgressPolicy egress, IntegrationService integrations) {
        this.egress = egress;
        this.caller = caller;
        this.integrations = integrations;
    }

    @POST
    public Uni<Response> create(IntegrationRequest body) {
        UUID ownerId = caller.ownerId();
        validate(body);
        return integrations.create(ownerId, body).map(saved -> Response.status(201).entity(saved).build());
    }

    @GET
    public Uni<List<IntegrationView>> list() {
        return integrations.list(caller.ownerId());
    }

    @GET
    @Path("{key}")
    public Uni<IntegrationView> get(@PathParam("key") String key) {
        return integrations.find(caller.ownerId(), key);
    }

    @PATCH
    @Path("{key}")
    public Uni<IntegrationView> update(@PathParam("key") String key, IntegrationPatch body) {
        if (body == null) {
            throw new Invalid("missing_body", "a JSON body is required", "");
        }
        if (body.name() != null) {
            checkName(body.name());
        }
        if (body.baseUrl() != null) {
            checkBaseUrl(body.baseUrl());
        }
        checkCredentialCheck(body.credentialsInvalid());
        return integrations.update(caller.ownerId(), key, body);
    }

    /** Deletes the integration and revokes its connected accounts; its actions can no longer run. */
    @DELETE
    @Path("{key}")
    public Uni<Response> delete(@PathParam("key") String key) {
        return integrations.delete(caller.ownerId(), key).map(ignored -> Response.noContent().build());
    }

    void validate(IntegrationRequest body) {
        if (body == null) {
            throw new Invalid("missing_body", "a JSON body is required", "");
        }
        if (body.key() == null || !KEY.matcher(body.key()).matches()) {
            throw new Invalid("invalid_key", "key must match " + KEY.pattern(), "/key");
        }
        checkName(body.name());
        checkBaseUrl(body.baseUrl());
        AuthScheme scheme = AuthScheme.checked(body.auth(), "/auth");
        checkCredentialCheck(body.credentialsInvalid());
        if (scheme.tokenUrl() != null) {
            // Runwire calls the token endpoint; the authorization URL is only where the user's browser goes
            checkEgress(scheme.tokenUrl(), "/auth/tokenUrl");
        }
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new Invalid("invalid_name", "name is required (1-200 characters)", "/name");
        }
    }

    private void checkBaseUrl(String baseUrl) {
        if (!HttpUrls.valid(baseUrl, false)) {
            throw new Invalid("invalid_base_url", "baseUrl must be an absolute http(s) URL of at most 2048 characters",
                    "/baseUrl");
        }
        checkEgress(baseUrl, "/baseUrl");
    }

    private void checkEgress(String url, String pointer) {
        try {
            // an address literal in any notation is checked now; host names when Runwire connects
            egress.checkUrl(url);
        } catch (EgressPolicy.RefusedException e) {
            throw new Invalid("url_refused", e.getMessage(), pointer);
        }
    }

    private static void checkCredentialCheck(HttpSpec.CredentialCheck check) {
        if (check == null) {
            return;
        }
        List<Integer> statuses = check.statuses() == null ? List.of() : check.statuses();
        if (statuses.size() > 20 || statuses.stream().anyMatch(s -> s == null || s < 200 || s > 599)) {
            throw new Invalid("invalid_credentials_check", "statuses holds at most 20 HTTP statuses 200-599",
                    "/credentialsInvalid/statuses");
        }
        if (check.bodyPattern() != null) {
            // RE2 (linear time): the executor searches integration answers with it, so no pattern can backtrack
            boolean valid = !check.bodyPattern().isEmpty() && check.bodyPattern().length() <= MAX_PATTERN;
            try {
                Pattern.compile(check.bodyPattern());
            } catch (com.google.re2j.PatternSyntaxException e) {
                valid = false;
            }
            if (!valid) {
                throw new Invalid("invalid_credentials_check",
                        "bodyPattern is a regular expression of 1 to " + MAX_PATTERN
                                + " characters in RE2 syntax (no backreferences or lookaround)",
                        "/credentialsInvalid/bodyPattern");
            }
        }
        if (statuses.isEmpty() && check.bodyPattern() == null) {
            throw new Invalid("invalid_credentials_check", "give statuses, a bodyPattern or both",
                    "/credentialsInvalid");
        }
    }

}

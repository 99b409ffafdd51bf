package dev.runwire.api.integration;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.error.ApiException;
import dev.runwire.model.egress.EgressPolicy;
import dev.runwire.model.json.Json;

/** Integrations of the calling owner. */
@Path("/v1/integrations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class IntegrationResource {

    /** Keys are short, URL-safe and lower case. */
    public static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    /** Body of a new integration. */
    public record IntegrationRequest(String key, String name, String baseUrl, AuthScheme auth) {
    }

    /** An integration as the API shows it. */
    public record IntegrationView(String key, String name, String baseUrl, AuthScheme auth, Instant createdAt,
            Instant updatedAt) {
        static IntegrationView of(Integration i) {
            return new IntegrationView(i.key, i.name, i.baseUrl, i.auth(), i.createdAt, i.updatedAt);
        }
    }

    private final Caller caller;

    private final EgressPolicy egress;

    IntegrationResource(Caller caller, EgressPolicy egress) {
        this.egress = egress;
        this.caller = caller;
    }

    @POST
    @WithTransaction
    public Uni<Response> create(IntegrationRequest body) {
        UUID ownerId = caller.ownerId();
        validate(body);
        return Integration.findByKey(ownerId, body.key()).chain(existing -> {
            if (existing != null) {
                throw ApiException.conflict("integration_exists", "an integration with key " + body.key() + " exists",
                        dev.runwire.api.error.ErrorObject.Source.pointer("/key"));
            }
            Integration integration = new Integration();
            integration.id = UUID.randomUUID();
            integration.ownerId = ownerId;
            integration.key = body.key();
            integration.name = body.name().trim();
            integration.baseUrl = body.baseUrl();
            integration.auth = Json.write(AuthScheme.checked(body.auth(), "/auth"));
            integration.createdAt = Instant.now();
            integration.updatedAt = integration.createdAt;
            return integration.<Integration> persist()
                    .map(saved -> Response.status(201).entity(IntegrationView.of(saved)).build());
        });
    }

    @GET
    @WithSession
    public Uni<List<IntegrationView>> list() {
        return Integration.<Integration> list("ownerId = ?1 order by key", caller.ownerId())
                .map(all -> all.stream().map(IntegrationView::of).toList());
    }

    @GET
    @Path("{key}")
    @WithSession
    public Uni<IntegrationView> get(@PathParam("key") String key) {
        return Integration.findByKey(caller.ownerId(), key).map(found -> {
            if (found == null) {
                throw ApiException.notFound("no integration with key " + key);
            }
            return IntegrationView.of(found);
        });
    }

    void validate(IntegrationRequest body) {
        if (body == null) {
            throw ApiException.invalid("missing_body", "a JSON body is required", "");
        }
        if (body.key() == null || !KEY.matcher(body.key()).matches()) {
            throw ApiException.invalid("invalid_key", "key must match " + KEY.pattern(), "/key");
        }
        if (body.name() == null || body.name().isBlank() || body.name().length() > 200) {
            throw ApiException.invalid("invalid_name", "name is required (1-200 characters)", "/name");
        }
        if (!isHttpUrl(body.baseUrl())) {
            throw ApiException.invalid("invalid_base_url",
                    "baseUrl must be an absolute http(s) URL of at most 2048 characters", "/baseUrl");
        }
        AuthScheme.checked(body.auth(), "/auth");
        try {
            // an address literal in any notation is checked now; host names when the executor connects
            egress.checkUrl(body.baseUrl());
        } catch (EgressPolicy.RefusedException e) {
            throw ApiException.invalid("url_refused", e.getMessage(), "/baseUrl");
        }
    }

    static boolean isHttpUrl(String value) {
        if (value == null || value.length() > 2048) {
            return false;
        }
        try {
            URI uri = new URI(value);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }
}

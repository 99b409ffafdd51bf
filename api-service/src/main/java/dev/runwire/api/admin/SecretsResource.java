package dev.runwire.api.admin;

import java.util.Map;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.Surface;

/**
 * Key rotation: once every replica of both services knows the new key (as current here, as current or previous in the
 * executor), this re-encrypts what is stored under earlier keys. See docs/adr/0023-oauth2-and-refused-credentials.md.
 */
@ApiSurface(value = Surface.NATIVE, apiKey = false)
@Path("/admin/secrets")
@Produces(MediaType.APPLICATION_JSON)
public class SecretsResource {

    private final ApiConfig config;
    private final Reseal reseal;

    SecretsResource(ApiConfig config, Reseal reseal) {
        this.config = config;
        this.reseal = reseal;
    }

    /** What was resealed per table. */
    public record Resealed(String keyId, Map<String, Reseal.Outcome> tables) {
    }

    @POST
    @Path("reseal")
    public Uni<Resealed> reseal(@HeaderParam("Authorization") String authorization) {
        AdminResource.requireAdmin(config, authorization);
        return reseal.run().map(counts -> new Resealed(config.secrets().keyId(), counts));
    }
}

package dev.runwire.api.integration;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.integration.IntegrationResource.IntegrationPatch;
import dev.runwire.api.integration.IntegrationResource.IntegrationRequest;
import dev.runwire.api.integration.IntegrationResource.IntegrationView;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.crypto.SecretSealer;

/**
 * The owner's integrations: what the API does with them, stored by {@link Integrations} (ADR 0007). Requests are
 * checked by {@link IntegrationResource} first.
 */
@ApplicationScoped
public class IntegrationService {

    private final SecretSealer sealer;
    private final Integrations integrations;

    IntegrationService(SecretSealer sealer, Integrations integrations) {
        this.sealer = sealer;
        this.integrations = integrations;
    }

    /** Creates the owner's integration (the request was checked); 409 when its key is taken. */
    public Uni<IntegrationView> create(UUID ownerId, IntegrationRequest body) {
        UUID id = UUID.randomUUID();
        AuthScheme scheme = AuthScheme.checked(body.auth(), "/auth");
        SealedSecret clientSecret = scheme.clientSecret() == null ? null
                : sealer.seal(scheme.clientSecret(), Integration.secretContext(id));
        Instant now = Instant.now();
        Integration integration = new Integration(id, ownerId, body.key(), body.name().trim(), body.baseUrl(),
                scheme.withoutSecret(), body.credentialsInvalid(), body.active() == null || body.active(), now, now);
        return integrations.create(integration, clientSecret).map(created -> {
            if (created == null) {
                throw new Conflict("integration_exists", "an integration with key " + body.key() + " exists",
                        ErrorObject.Source.pointer("/key"));
            }
            return view(created);
        });
    }

    /** The owner's integrations by key. */
    public Uni<List<IntegrationView>> list(UUID ownerId) {
        return integrations.list(ownerId).map(all -> all.stream().map(IntegrationService::view).toList());
    }

    /** The owner's integration; 404 when there is none. */
    public Uni<IntegrationView> find(UUID ownerId, String key) {
        return integrations.find(ownerId, key).map(found -> view(require(found, key)));
    }

    /** Changes the owner's integration (the change was checked); 404 when there is none. */
    public Uni<IntegrationView> update(UUID ownerId, String key, IntegrationPatch body) {
        String name = body.name() == null ? null : body.name().trim();
        return integrations.update(ownerId, key, name, body, Instant.now()).map(changed -> view(require(changed, key)));
    }

    /** Deletes the integration and revokes its connected accounts; 404 when there is none. */
    public Uni<Void> delete(UUID ownerId, String key) {
        return integrations.delete(ownerId, key).map(deleted -> {
            if (!deleted) {
                throw new NotFound("no integration with key " + key);
            }
            return null;
        });
    }

    private static Integration require(Integration integration, String key) {
        if (integration == null) {
            throw new NotFound("no integration with key " + key);
        }
        return integration;
    }

    /** An integration as the API shows it (never its client secret). */
    static IntegrationView view(Integration i) {
        return new IntegrationView(i.key(), i.name(), i.baseUrl(), i.auth(), i.credentialCheck(), i.active(),
                i.createdAt(), i.updatedAt());
    }
}

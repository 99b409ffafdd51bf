package dev.runwire.api.integration;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.integration.IntegrationResource.IntegrationPatch;
import dev.runwire.api.integration.IntegrationResource.IntegrationRequest;
import dev.runwire.api.integration.IntegrationResource.IntegrationView;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.crypto.SecretSealer;
import dev.runwire.model.json.Json;

/**
 * The owner's integrations as stored, through the {@link Integration} entity (Hibernate Reactive with Panache, ADR
 * 0007); each method is its own session or transaction. Requests are checked by {@link IntegrationResource} first.
 */
@ApplicationScoped
public class IntegrationService {

    private final SecretSealer sealer;
    private final IntegrationAccounts accounts;

    IntegrationService(SecretSealer sealer, IntegrationAccounts accounts) {
        this.sealer = sealer;
        this.accounts = accounts;
    }

    /** Creates the owner's integration (the request was checked); 409 when its key is taken. */
    @WithTransaction
    public Uni<IntegrationView> create(UUID ownerId, IntegrationRequest body) {
        return Integration.findByKey(ownerId, body.key()).chain(existing -> {
            if (existing != null) {
                throw new Conflict("integration_exists", "an integration with key " + body.key() + " exists",
                        dev.runwire.api.error.ErrorObject.Source.pointer("/key"));
            }
            Integration integration = new Integration();
            integration.id = UUID.randomUUID();
            integration.ownerId = ownerId;
            integration.key = body.key();
            integration.name = body.name().trim();
            integration.baseUrl = body.baseUrl();
            AuthScheme scheme = AuthScheme.checked(body.auth(), "/auth");
            integration.auth = Json.write(scheme.withoutSecret());
            if (scheme.clientSecret() != null) {
                SealedSecret sealed = sealer.seal(scheme.clientSecret(), Integration.secretContext(integration.id));
                integration.keyId = sealed.keyId();
                integration.sealedClientSecret = Json.write(sealed);
            }
            integration.credentialsInvalid = body.credentialsInvalid() == null ? null
                    : Json.write(body.credentialsInvalid());
            integration.active = body.active() == null || body.active();
            integration.createdAt = Instant.now();
            integration.updatedAt = integration.createdAt;
            return integration.<Integration> persist().map(IntegrationService::view);
        });
    }

    /** The owner's integrations by key. */
    @WithSession
    public Uni<List<IntegrationView>> list(UUID ownerId) {
        return Integration.<Integration> list("ownerId = ?1 order by key", ownerId)
                .map(all -> all.stream().map(IntegrationService::view).toList());
    }

    /** The owner's integration; 404 when there is none. */
    @WithSession
    public Uni<IntegrationView> find(UUID ownerId, String key) {
        return Integration.findByKey(ownerId, key).map(found -> {
            if (found == null) {
                throw new NotFound("no integration with key " + key);
            }
            return view(found);
        });
    }

    /** Changes the owner's integration (the change was checked); 404 when there is none. */
    @WithTransaction
    public Uni<IntegrationView> update(UUID ownerId, String key, IntegrationPatch body) {
        return Integration.findByKey(ownerId, key).map(found -> {
            if (found == null) {
                throw new NotFound("no integration with key " + key);
            }
            if (body.name() != null) {
                found.name = body.name().trim();
            }
            if (body.baseUrl() != null) {
                found.baseUrl = body.baseUrl();
            }
            if (body.credentialsInvalid() != null) {
                found.credentialsInvalid = Json.write(body.credentialsInvalid());
            }
            if (body.active() != null) {
                found.active = body.active();
            }
            found.updatedAt = Instant.now();
            return view(found);
        });
    }

    /** Deletes the integration and revokes its connected accounts; 404 when there is none. */
    @WithTransaction
    public Uni<Void> delete(UUID ownerId, String key) {
        return Integration.findByKey(ownerId, key).chain(found -> {
            if (found == null) {
                throw new NotFound("no integration with key " + key);
            }
            return found.delete();
        }).chain(() -> accounts.revokeAll(ownerId, key));
    }

    /** An integration as the API shows it (never its client secret). */
    static IntegrationView view(Integration i) {
        return new IntegrationView(i.key, i.name, i.baseUrl, i.auth(), i.credentialCheck(), i.active, i.createdAt,
                i.updatedAt);
    }
}

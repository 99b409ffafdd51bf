package dev.runwire.api.integration;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;

import dev.runwire.model.command.HttpSpec;

/** A third-party API an owner calls, by base URL. */
@Entity
@Table(name = "integrations")
public class Integration extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "owner_id")
    public UUID ownerId;

    public String key;

    public String name;

    @Column(name = "base_url")
    public String baseUrl;

    /** The {@link AuthScheme} as JSON, without its client secret. */
    public String auth;

    /** An inactive integration is never called: runs of its actions are refused. */
    public boolean active;

    /** The {@link HttpSpec.CredentialCheck} as JSON, or null for the default (HTTP 401 when it needs an account). */
    @Column(name = "credentials_invalid")
    public String credentialsInvalid;

    /** Key id the client secret is sealed under. */
    @Column(name = "key_id")
    public String keyId;

    /** An OAuth 2 authorization-code client secret, sealed, bound to the integration's id. */
    @Column(name = "sealed_client_secret")
    public String sealedClientSecret;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    public AuthScheme auth() {
        return auth == null ? AuthScheme.NONE : dev.runwire.model.json.Json.read(auth, AuthScheme.class);
    }

    /** Which answers mean the credentials no longer work; null for an integration that needs no account. */
    public HttpSpec.CredentialCheck credentialCheck() {
        return credentialCheck(auth(), credentialsInvalid);
    }

    /** The stored check, or HTTP 401 for an integration that needs an account and has none configured. */
    public static HttpSpec.CredentialCheck credentialCheck(AuthScheme scheme, String stored) {
        if (stored != null) {
            return dev.runwire.model.json.Json.read(stored, HttpSpec.CredentialCheck.class);
        }
        return scheme.needsAccount() ? DEFAULT_CHECK : null;
    }

    public static final HttpSpec.CredentialCheck DEFAULT_CHECK = new HttpSpec.CredentialCheck(java.util.List.of(401),
            null);

    /** What a client secret is bound to when sealed. */
    public static String secretContext(UUID integrationId) {
        return "integration:" + integrationId;
    }

    public static Uni<Integration> findByKey(UUID ownerId, String key) {
        return find("ownerId = ?1 and key = ?2", ownerId, key).firstResult();
    }
}

package dev.runwire.api.integration;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.runwire.model.command.HttpSpec;
import dev.runwire.model.json.Json;

/**
 * A third-party API an owner calls, by base URL: one row of {@code api.integrations} as {@link Integrations} reads it.
 * Its OAuth 2 client secret, sealed, stays in the table and out of this record.
 *
 * @param auth
 *            the {@link AuthScheme}, without its client secret
 * @param credentialsInvalid
 *            the configured {@link HttpSpec.CredentialCheck}, or null for the default (see {@link #credentialCheck()})
 * @param active
 *            an inactive integration is never called: runs of its actions are refused
 */
public record Integration(UUID id, UUID ownerId, String key, String name, String baseUrl, AuthScheme auth,
        HttpSpec.CredentialCheck credentialsInvalid, boolean active, Instant createdAt, Instant updatedAt) {

    /** The check an integration that needs an account gets when it configures none: HTTP 401. */
    public static final HttpSpec.CredentialCheck DEFAULT_CHECK = new HttpSpec.CredentialCheck(List.of(401), null);

    /** Which answers mean the credentials no longer work; null for an integration that needs no account. */
    public HttpSpec.CredentialCheck credentialCheck() {
        return credentialsInvalid != null ? credentialsInvalid : defaultCheck(auth);
    }

    /** The stored check (as JSON), or HTTP 401 for an integration that needs an account and has none configured. */
    public static HttpSpec.CredentialCheck credentialCheck(AuthScheme scheme, String stored) {
        return stored != null ? Json.read(stored, HttpSpec.CredentialCheck.class) : defaultCheck(scheme);
    }

    private static HttpSpec.CredentialCheck defaultCheck(AuthScheme scheme) {
        return scheme.needsAccount() ? DEFAULT_CHECK : null;
    }

    /** What a client secret is bound to when sealed. */
    public static String secretContext(UUID integrationId) {
        return "integration:" + integrationId;
    }
}

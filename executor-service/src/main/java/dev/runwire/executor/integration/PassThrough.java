package dev.runwire.executor.integration;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.runwire.executor.config.ExecutorConfig;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.crypto.SecretSealer;
import dev.runwire.model.json.Json;

/**
 * Pass-through data of one run: extra headers and query parameters for the integration calls, used for this run only
 * and never stored or logged.
 *
 * @param customerIntegrationId
 *            the integration they apply to; null applies to every call
 * @param headers
 *            extra request headers
 * @param query
 *            extra query parameters
 * @param accountId
 *            the connected account they come from, or null for the caller's own entries
 * @param credentialsVersion
 *            which version of that account's credentials (a refresh makes a new one)
 * @param values
 *            provider credentials as the runs API defines them (AWS credentials or role, Okta service app); see
 *            {@link PassThroughAuth}
 * @param expiresAt
 *            when the account's access token ends, or null
 */
public record PassThrough(String customerIntegrationId, Map<String, String> headers, Map<String, String> query,
        java.util.UUID accountId, Long credentialsVersion, com.fasterxml.jackson.databind.JsonNode values,
        java.time.Instant expiresAt) {

    @Override
    public String toString() {
        return "PassThrough[customerIntegrationId=" + customerIntegrationId + ", accountId=" + accountId
                + ", (values hidden)]";
    }

    /** The account whose credentials a call to the integration carries: the last entry that applies wins. */
    public static PassThrough accountFor(List<PassThrough> all, String integrationKey) {
        PassThrough used = null;
        for (PassThrough entry : all) {
            if (entry.appliesTo(integrationKey)) {
                used = entry;
            }
        }
        return used;
    }

    boolean appliesTo(String integrationKey) {
        return customerIntegrationId == null || customerIntegrationId.equals(integrationKey);
    }

    /** Opens the sealed pass-through data of a command. */
    @ApplicationScoped
    public static class Opener {
        private static final TypeReference<List<PassThrough>> LIST = new TypeReference<>() {
        };
        private final SecretSealer sealer;
        private final ObjectMapper mapper = Json.mapper();

        @Inject
        Opener(ExecutorConfig config) {
            this(SecretSealer.configured(config.secrets().keyId(), config.secrets().key(),
                    config.secrets().previous()));
        }

        /** Opens with the given sealer's keys. */
        public Opener(SecretSealer sealer) {
            this.sealer = sealer;
        }

        public List<PassThrough> open(RunRequested command) {
            return open(command.passThrough(), command.runId());
        }

        /** A sealed pass-through list bound to the run; empty for null. */
        public List<PassThrough> open(dev.runwire.model.command.SealedSecret sealed, java.util.UUID runId) {
            if (sealed == null) {
                return List.of();
            }
            try {
                return mapper.readValue(sealer.open(sealed, runId.toString()), LIST);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("pass-through data of run " + runId + " is unreadable");
            }
        }
    }
}

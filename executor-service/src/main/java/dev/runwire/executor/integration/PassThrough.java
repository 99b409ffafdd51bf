package dev.runwire.executor.integration;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

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
 */
public record PassThrough(String customerIntegrationId, Map<String, String> headers, Map<String, String> query) {

    @Override
    public String toString() {
        return "PassThrough[customerIntegrationId=" + customerIntegrationId + ", (values hidden)]";
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

        Opener(ExecutorConfig config) {
            Map<String, String> keys = new HashMap<>(
                    config.secrets().previous().map(Opener::parseKeys).orElse(Map.of()));
            keys.put(config.secrets().keyId(), config.secrets().key());
            this.sealer = new SecretSealer(config.secrets().keyId(), keys);
        }

        static Map<String, String> parseKeys(String spec) {
            return Arrays.stream(spec.split(",")).map(String::trim).filter(s -> s.contains("=")).collect(
                    Collectors.toMap(s -> s.substring(0, s.indexOf('=')), s -> s.substring(s.indexOf('=') + 1)));
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

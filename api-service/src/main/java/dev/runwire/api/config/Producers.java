package dev.runwire.api.config;

import java.util.List;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.runwire.model.crypto.SecretSealer;
import dev.runwire.model.egress.EgressPolicy;

/** The service's shared, configured helpers from shared-model (singletons: the classes are final). */
public class Producers {

    /** The one egress policy of the service (docs/adr/0015-egress-guard.md). */
    @Produces
    @Singleton
    EgressPolicy egressPolicy(ApiConfig config) {
        return new EgressPolicy(config.egress().allow().orElse(List.of()), config.egress().requireHttps());
    }

    /** AES-GCM sealing under the configured key (docs/adr/0006-pass-through-secrets.md). */
    @Produces
    @Singleton
    SecretSealer secretSealer(ApiConfig config) {
        return SecretSealer.configured(config.secrets().keyId(), config.secrets().key(), config.secrets().previous());
    }
}

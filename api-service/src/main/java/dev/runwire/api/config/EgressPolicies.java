package dev.runwire.api.config;

import java.util.List;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.runwire.model.egress.EgressPolicy;

/**
 * The one egress policy of the service, from configuration (docs/adr/0015-egress-guard.md); a singleton, as the class
 * is final.
 */
public class EgressPolicies {

    @Produces
    @Singleton
    EgressPolicy policy(ApiConfig config) {
        return new EgressPolicy(config.egress().allow().orElse(List.of()), config.egress().requireHttps());
    }
}

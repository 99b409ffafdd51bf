package dev.runwire.executor.approval;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.runwire.executor.config.ExecutorConfig;
import dev.runwire.model.approval.ApprovalTokens;

/** The approval tokens this executor signs, under the configured secrets key (the api-service verifies them). */
@ApplicationScoped
public class ApprovalTokensProducer {

    /** A singleton: the class is final, so it cannot stand behind a client proxy. */
    @Produces
    @Singleton
    ApprovalTokens approvalTokens(ExecutorConfig config) {
        return new ApprovalTokens(config.secrets().key());
    }
}

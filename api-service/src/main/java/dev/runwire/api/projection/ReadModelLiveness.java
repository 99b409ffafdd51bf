package dev.runwire.api.projection;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import dev.runwire.api.config.ApiConfig;

/**
 * Liveness of the read model's consumer: DOWN only when a batch of run events has waited longer than
 * {@code runwire.run.store-stuck-after} with PostgreSQL answering all that time, so that a restart would help. It
 * replaces the connector's own check ({@code throttled.unprocessed-record-max-age.ms}), which cannot tell a consumer
 * waiting for PostgreSQL to come back from a stuck one, and closes the consumer for good when it fires
 * (docs/adr/0029-process-faults.md).
 */
@Liveness
@ApplicationScoped
public class ReadModelLiveness implements HealthCheck {

    private final EventStoreConsumer consumer;
    private final ApiConfig config;

    ReadModelLiveness(EventStoreConsumer consumer, ApiConfig config) {
        this.consumer = consumer;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("read model").status(!consumer.stuck(config.run().storeStuckAfter())).build();
    }
}

package dev.runwire.api.overload;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the broker does not answer: run requests get 503 then (nothing can be made durable), so a load
 * balancer had better send them elsewhere. Never a liveness failure: the probe recovers by itself.
 */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {

    private final KafkaProbe probe;

    KafkaReadiness(KafkaProbe probe) {
        this.probe = probe;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kafka").status(probe.up()).build();
    }
}

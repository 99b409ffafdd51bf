package dev.runwire.executor.config;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.providers.extension.HealthCenter;

import dev.runwire.model.metrics.ChannelStops;

/** Looks at the messaging channels' liveness, so that a channel that stops is logged and counted (ChannelStops). */
@ApplicationScoped
public class ChannelWatch {

    private final HealthCenter health;
    private final ChannelStops stops;

    ChannelWatch(HealthCenter health, MeterRegistry registry) {
        this.health = health;
        this.stops = new ChannelStops(registry);
    }

    @Scheduled(identity = "channel-watch", every = "5s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void look() {
        health.getLiveness().getChannels()
                .forEach(channel -> stops.observe(channel.getChannel(), channel.isOk(), channel.getMessage()));
    }
}

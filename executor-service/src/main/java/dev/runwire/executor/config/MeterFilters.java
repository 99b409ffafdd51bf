package dev.runwire.executor.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.config.MeterFilter;

import dev.runwire.model.metrics.MeterDescriptions;

/** Runwire's meters with their HELP text, and timers as histograms (Quarkus applies every MeterFilter bean). */
@Singleton
public class MeterFilters {

    @Produces
    @Singleton
    MeterFilter descriptions() {
        return MeterDescriptions.filter();
    }
}

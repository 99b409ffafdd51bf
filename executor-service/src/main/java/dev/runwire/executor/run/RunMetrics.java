package dev.runwire.executor.run;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

import dev.runwire.model.run.RunStatus;

/** Counters of finished runs by status. */
@ApplicationScoped
public class RunMetrics {

    private final MeterRegistry registry;

    RunMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void callCanceled() {
        registry.counter("runwire.executor.calls.canceled").increment();
    }

    void runFinished(RunStatus status) {
        registry.counter("runwire.executor.runs.finished", "status", status.name()).increment();
    }
}

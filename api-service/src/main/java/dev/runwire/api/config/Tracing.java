package dev.runwire.api.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.trace.SpanProcessor;

import dev.runwire.model.trace.UrlRedaction;

/** What the tracer adds to Quarkus's set-up (docs/adr/0041): no query or full URL in a recorded span. */
public class Tracing {

    @Produces
    @Singleton
    SpanProcessor urlRedaction() {
        return new UrlRedaction();
    }
}

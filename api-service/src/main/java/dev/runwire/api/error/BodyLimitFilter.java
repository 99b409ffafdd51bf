package dev.runwire.api.error;

import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.web.RouteFilter;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers an announced oversized body with a JSON:API 413 before it is read (the HTTP layer's own 413, for bodies
 * without a length, has no body).
 */
public class BodyLimitFilter {

    @Inject
    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize maxBodySize;

    @RouteFilter(100)
    void limit(RoutingContext context) {
        String length = context.request().getHeader("Content-Length");
        if (length != null && tooLarge(length)) {
            ErrorObject error = new ErrorObject(413, "payload_too_large", "Payload Too Large",
                    "the request body is larger than " + maxBodySize.asLongValue() + " bytes", null, null);
            context.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                    .putHeader("Connection", "close").end(Json.encode(new ErrorBody(List.of(error))));
            return;
        }
        context.next();
    }

    private boolean tooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > maxBodySize.asLongValue();
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

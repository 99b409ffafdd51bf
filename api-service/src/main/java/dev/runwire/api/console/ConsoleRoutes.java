package dev.runwire.api.console;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.vertx.ext.web.Router;

/**
 * The console's address without its trailing slash goes to the console. The console itself is static files under
 * {@code META-INF/resources/console}, served by Quarkus without a key: they hold no data, and every call they make goes
 * to the API with the owner's key (docs/adr/0038-console.md).
 */
@Singleton
public class ConsoleRoutes {

    void install(@Observes Router router) {
        // a regex: Vert.x's plain path "/console" also matches "/console/", which would redirect to itself
        router.getWithRegex("/console").handler(context -> context.response().setStatusCode(301)
                .putHeader("location", "/console/").putHeader("cache-control", "no-store").end());
    }
}

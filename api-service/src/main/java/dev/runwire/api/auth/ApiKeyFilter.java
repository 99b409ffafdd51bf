package dev.runwire.api.auth;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.error.ApiException;
import dev.runwire.api.error.ErrorMappers;

/**
 * Authenticates every {@code /v1} and {@code /actions} (Zapier surface) request by API key ({@code x-api-key} or
 * {@code Authorization: Bearer}).
 */
public class ApiKeyFilter {

    private final ApiKeys keys;
    private final Caller caller;

    ApiKeyFilter(ApiKeys keys, Caller caller) {
        this.keys = keys;
        this.caller = caller;
    }

    @ServerRequestFilter
    public Uni<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/v1/") && !path.equals("/v1") && !path.startsWith("/actions/")) {
            return Uni.createFrom().nullItem();
        }
        String key = ApiKeys.presented(request::getHeaderString);
        if (key == null) {
            return Uni.createFrom().item(unauthorized("a valid API key is required"));
        }
        return keys.ownerOf(key).map(ownerId -> {
            if (ownerId == null) {
                return unauthorized("the API key is not valid");
            }
            caller.authenticate(ownerId);
            return null;
        });
    }

    private static Response unauthorized(String detail) {
        return ErrorMappers.respond(ApiException.unauthorized(detail).errors().get(0));
    }
}

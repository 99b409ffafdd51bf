package dev.runwire.api.error;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.vertx.core.http.HttpServerRequest;

import dev.runwire.model.Outages;

/**
 * The one exception-mapper seam of every surface: each failure becomes its status ({@link ErrorTable}) and error
 * objects, rendered by {@link Surface} in the envelope of the surface of the resource the request matched
 * ({@link ApiSurface}; the path where none matched). Client mistakes get their 4xx; anything unexpected is logged and
 * answered 500 without details.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response domain(RunwireException e, ResourceInfo resource, HttpServerRequest request) {
        return surface(resource, request).response(e);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, ResourceInfo resource, HttpServerRequest request) {
        return surface(resource, request).response(RequestJson.problem(e));
    }

    /** Quarkus has its own (empty) answer for this subtype; ours names the field. */
    @ServerExceptionMapper
    public Response mismatch(com.fasterxml.jackson.databind.exc.MismatchedInputException e, ResourceInfo resource,
            HttpServerRequest request) {
        return json(e, resource, request);
    }

    /** A body Jackson cannot bind is a server-side fault (Quarkus' own answer has no body): logged, 500. */
    @ServerExceptionMapper
    public Response definition(com.fasterxml.jackson.databind.exc.InvalidDefinitionException e, ResourceInfo resource,
            HttpServerRequest request) {
        return surface(resource, request).response(internal(e));
    }

    /** A body that is not UTF-8 (or is cut off) can fail below Jackson, as a character decoding error. */
    @ServerExceptionMapper
    public Response encoding(java.io.CharConversionException e, ResourceInfo resource, HttpServerRequest request) {
        return surface(resource, request).response(new ErrorObject(400, "invalid_encoding", "Bad Request",
                "the request body is not valid UTF-8", ErrorObject.Source.pointer(""), null));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, ResourceInfo resource, HttpServerRequest request) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json, resource, request);
        }
        int status = e.getResponse().getStatus();
        return surface(resource, request).response(status >= 500 ? internal(e) : Surface.generic(status));
    }

    /** A token endpoint Runwire needed (a refresh) did not answer: nothing was written; the client may retry. */
    @ServerExceptionMapper
    public Response tokenEndpoint(TokenEndpointUnavailableException e, ResourceInfo resource,
            HttpServerRequest request) {
        return surface(resource, request).response(new ErrorObject(502, "token_endpoint_unavailable", "Bad Gateway",
                "an OAuth 2 token could not be refreshed: " + e.getMessage(), null, null));
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, ResourceInfo resource, HttpServerRequest request) {
        if (storeUnavailable(e)) {
            // PostgreSQL is unreachable: nothing was written; the client may retry
            LOG.warnf("the database is unreachable (%s): answering 503", e.getClass().getSimpleName());
            return surface(resource, request).response(new RunwireException.Unavailable());
        }
        if (e instanceof java.io.IOException && "Request too large".equals(e.getMessage())) {
            // Quarkus REST's reader stopped a chunked body at the limit (and has answered 413 itself): no fault here
            return surface(resource, request).response(new ErrorObject(413, "payload_too_large", "Payload Too Large",
                    "the request body is too large", null, null));
        }
        return surface(resource, request).response(internal(e));
    }

    /** The surface of the matched resource; of the path when no resource matched. */
    private static Surface surface(ResourceInfo resource, HttpServerRequest request) {
        return Surface.of(resource == null ? null : resource.getResourceClass(),
                request == null ? null : request.path());
    }

    /**
     * PostgreSQL (or the broker) away or refusing for a passing reason, anywhere in the cause chain: a connection that
     * could not be made or was lost, a server shutting down or still starting (SQL states 08, 57P), the pool closed or
     * too busy. The same test the consumers use to wait an outage out ({@link Outages}).
     */
    public static boolean storeUnavailable(Throwable e) {
        return Outages.isOutage(e);
    }

    static ErrorObject internal(Throwable e) {
        LOG.error("unexpected failure while handling a request", e);
        return new ErrorObject(500, "internal_error", "Internal Server Error", "the request could not be handled", null,
                null);
    }

    /** A JSON:API answer of one error object (the native surface's). */
    public static Response respond(ErrorObject error) {
        return Surface.NATIVE.response(error);
    }
}

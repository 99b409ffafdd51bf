package dev.runwire.api.error;

import java.util.List;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;

import dev.runwire.api.overload.KafkaProbe;

/**
 * The one error seam of the native surface: every failure leaves as a JSON:API error document. Client mistakes get
 * their 4xx; anything unexpected is logged and answered 500 without details.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response.ResponseBuilder response = Response.status(e.status()).type(MediaType.APPLICATION_JSON)
                .entity(new ErrorBody(e.errors()));
        e.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String pointer = pointer(mapping.getPath());
            return respond(new ErrorObject(400, "invalid_type", "Bad Request",
                    "the value at " + pointer + " has the wrong type or form", ErrorObject.Source.pointer(pointer),
                    null));
        }
        return respond(new ErrorObject(400, "malformed_json", "Bad Request", "the request body is not valid JSON",
                ErrorObject.Source.pointer(""), null));
    }

    /** Quarkus has its own (empty) answer for this subtype; ours names the field. */
    @ServerExceptionMapper
    public Response mismatch(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json);
        }
        return respond(switch (status) {
        case 400 -> new ErrorObject(400, "bad_request", "Bad Request", "the request is not well-formed", null, null);
        case 401 -> new ErrorObject(401, "unauthorized", "Unauthorized", "a valid API key is required", null, null);
        case 404 -> new ErrorObject(404, "not_found", "Not Found", "no such resource", null, null);
        case 405 -> new ErrorObject(405, "method_not_allowed", "Method Not Allowed",
                "this resource does not support that method", null, null);
        case 406 -> new ErrorObject(406, "not_acceptable", "Not Acceptable", "this resource answers JSON", null, null);
        case 413 -> new ErrorObject(413, "payload_too_large", "Payload Too Large", "the request body is too large",
                null, null);
        case 415 -> new ErrorObject(415, "unsupported_media_type", "Unsupported Media Type",
                "send the body as application/json", ErrorObject.Source.header("Content-Type"), null);
        default -> status >= 500 ? internal(e)
                : new ErrorObject(status, "error", "Error", "the request failed", null, null);
        });
    }

    /** A token endpoint Runwire needed (a refresh) did not answer: nothing was written; the client may retry. */
    @ServerExceptionMapper
    public Response tokenEndpoint(dev.runwire.api.connection.OAuthClient.UnavailableException e) {
        return respond(new ErrorObject(502, "token_endpoint_unavailable", "Bad Gateway",
                "an OAuth 2 token could not be refreshed: " + e.getMessage(), null, null));
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        if (storeUnavailable(e)) {
            // PostgreSQL is unreachable: nothing was written; the client may retry
            LOG.warnf("the database is unreachable (%s): answering 503", e.getClass().getSimpleName());
            return api(KafkaProbe.unavailable());
        }
        return respond(internal(e));
    }

    /** A connection that could not be made or was lost, anywhere in the cause chain. */
    public static boolean storeUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof io.vertx.sqlclient.ClosedConnectionException
                    || t instanceof io.vertx.core.http.ConnectionPoolTooBusyException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static ErrorObject internal(Throwable e) {
        LOG.error("unexpected failure while handling a request", e);
        return new ErrorObject(500, "internal_error", "Internal Server Error", "the request could not be handled", null,
                null);
    }

    public static Response respond(ErrorObject error) {
        return Response.status(error.status()).type(MediaType.APPLICATION_JSON).entity(new ErrorBody(List.of(error)))
                .build();
    }

    private static String pointer(List<JsonMappingException.Reference> path) {
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            pointer.append('/');
            if (ref.getFieldName() != null) {
                pointer.append(ref.getFieldName().replace("~", "~0").replace("/", "~1"));
            } else {
                pointer.append(ref.getIndex());
            }
        }
        return pointer.toString();
    }
}

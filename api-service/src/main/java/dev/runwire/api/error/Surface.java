package dev.runwire.api.error;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.vertx.core.http.HttpServerResponse;

import dev.runwire.model.json.Json;

/**
 * The API surface a request was for, chosen by its path, and the one place that renders an error in that surface's
 * envelope: talkover's {@code {success: false, message, code}} for {@code /api/v1/agents*}, Composio's {@code {data,
 * successful: false, successfull: false, error, logId}} for {@code /api/v2/*} and {@code /api/v1/connectedAccounts*},
 * JSON:API error documents for Zapier's {@code /actions/v1/*} and everything else. Every exception mapper and every
 * HTTP-layer handler answers through it, so one status never has two shapes on one surface.
 */
public enum Surface {

    /** Runwire's own API: JSON:API error documents. */
    NATIVE,
    /** Zapier's Actions API: JSON:API error documents, as the native surface. */
    ZAPIER,
    /** talkover's agents: {@code {success: false, message, code}} with upper-case codes. */
    TALKOVER,
    /** Composio's execute surface: {@code {data: null, successful: false, successfull: false, error, logId}}. */
    COMPOSIO;

    /** The surface of a request path (raw or normalized; percent-encoded unreserved characters are decoded first). */
    public static Surface of(String path) {
        String p = normalized(path);
        if (under(p, "/api/v1/agents")) {
            return TALKOVER;
        }
        if (under(p, "/api/v2") || under(p, "/api/v1/connectedAccounts")) {
            return COMPOSIO;
        }
        if (under(p, "/actions/v1")) {
            return ZAPIER;
        }
        return NATIVE;
    }

    private static boolean under(String path, String prefix) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    /** The path as the router matches it: dot segments removed, encoded unreserved characters decoded. */
    private static String normalized(String path) {
        if (path == null || path.isEmpty()) {
            return "/";
        }
        try {
            // the same normalization Vert.x Web applies before routing, so the surface follows the route taken
            String normalized = io.vertx.core.http.impl.HttpUtils.normalizePath(path);
            return normalized == null ? path : normalized;
        } catch (RuntimeException e) {
            return path; // malformed escapes: answered 400 anyway; the raw prefix decides
        }
    }

    /** talkover's failure envelope. */
    public record TalkoverFailure(boolean success, String message, String code) {
    }

    /** Composio's response envelope for a request that ran nothing. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ComposioFailure(Object data, boolean successful, boolean successfull, String error, String logId) {
    }

    /** The body of an error answer on this surface: never a class name or a stack trace, only the given details. */
    public Object body(int status, List<ErrorObject> errors) {
        List<ErrorObject> all = errors.isEmpty() ? List.of(generic(status)) : errors;
        return switch (this) {
        case NATIVE -> new ErrorBody(all);
        // Zapier's Actions API names its 500 external_service_error
        case ZAPIER -> new ErrorBody(
                status != 500 ? all
                        : all.stream()
                                .map(e -> "internal_error".equals(e.code()) ? new ErrorObject(e.status(),
                                        "external_service_error", e.title(), e.detail(), e.source(), e.meta()) : e)
                                .toList());
        case TALKOVER -> new TalkoverFailure(false, status == 500 ? "Internal server error." : message(all, false),
                talkoverCode(status, all.get(0).code()));
        case COMPOSIO -> new ComposioFailure(null, false, false,
                status == 500 ? "Internal server error." : message(all, true), null);
        };
    }

    /** A JAX-RS answer: the status, this surface's body, and the given headers. */
    public Response response(int status, List<ErrorObject> errors, Map<String, String> headers) {
        Response.ResponseBuilder response = Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(body(status, errors));
        headers.forEach(response::header);
        return response.build();
    }

    /** A JAX-RS answer of a client-facing failure. */
    public Response response(ApiException e) {
        return response(e.status(), e.errors(), e.headers());
    }

    /** A JAX-RS answer of one error object. */
    public Response response(ErrorObject error) {
        return response(error.status(), List.of(error), Map.of());
    }

    /** The same answer at the Vert.x level (before or outside a resource); the response is ended. */
    public void write(HttpServerResponse response, int status, List<ErrorObject> errors) {
        if (response.ended() || response.closed()) {
            return;
        }
        if (!response.headWritten()) {
            response.setStatusCode(status).putHeader("Content-Type", "application/json");
            response.end(Json.write(body(status, errors)));
        } else {
            response.end(); // a streamed answer already began: nothing else can be said
        }
    }

    /** The upper-case codes of talkover: its API's for 401/403/5xx, VALIDATION_ERROR for a bad request. */
    private static String talkoverCode(int status, String code) {
        boolean upper = code != null && code.equals(code.toUpperCase(Locale.ROOT)) && !code.isBlank();
        if (status == 401) {
            return "INVALID_TOKEN";
        }
        if (status == 403) {
            return "UNAUTHORIZED";
        }
        if (status >= 500) {
            return "SERVER_ERROR";
        }
        if (upper) {
            return code;
        }
        if (status == 400 || status == 422) {
            return "VALIDATION_ERROR";
        }
        return code == null ? "ERROR" : code.toUpperCase(Locale.ROOT);
    }

    /** The details in one sentence, with where in the request (and, for Composio, the facts in meta). */
    private static String message(List<ErrorObject> errors, boolean withMeta) {
        return errors.stream().map(error -> {
            StringBuilder text = new StringBuilder(error.detail() == null ? error.title() : error.detail());
            String where = where(error.source());
            if (where != null && !text.toString().contains(where)) {
                text.append(" (at ").append(where).append(')');
            }
            if (withMeta && error.meta() != null && !error.meta().isEmpty()) {
                text.append(" (")
                        .append(error.meta().entrySet().stream()
                                .map(e -> e.getKey() + ": "
                                        + (e.getValue() instanceof List<?> list
                                                ? list.stream().map(String::valueOf).collect(Collectors.joining(", "))
                                                : String.valueOf(e.getValue())))
                                .collect(Collectors.joining("; ")))
                        .append(')');
            }
            return text.toString();
        }).collect(Collectors.joining("; "));
    }

    private static String where(ErrorObject.Source source) {
        if (source == null) {
            return null;
        }
        if (source.pointer() != null) {
            return source.pointer().isEmpty() ? null : source.pointer();
        }
        if (source.parameter() != null) {
            return "query parameter " + source.parameter();
        }
        return source.header() == null ? null : "header " + source.header();
    }

    /** The error object of a bare status, e.g. one the HTTP layer chose. */
    public static ErrorObject generic(int status) {
        return switch (status) {
        case 400 -> new ErrorObject(400, "bad_request", "Bad Request", "the request is not well-formed", null, null);
        case 401 -> new ErrorObject(401, "unauthorized", "Unauthorized", "a valid API key is required", null, null);
        case 403 -> new ErrorObject(403, "forbidden", "Forbidden", "this is not allowed", null, null);
        case 404 -> new ErrorObject(404, "not_found", "Not Found", "no such resource", null, null);
        case 405 -> new ErrorObject(405, "method_not_allowed", "Method Not Allowed",
                "this resource does not support that method", null, null);
        case 406 -> new ErrorObject(406, "not_acceptable", "Not Acceptable", "this resource answers JSON", null, null);
        case 408 -> new ErrorObject(408, "request_timeout", "Request Timeout", "the request was not received in time",
                null, null);
        case 413 -> new ErrorObject(413, "payload_too_large", "Payload Too Large", "the request body is too large",
                null, null);
        case 414 -> new ErrorObject(414, "uri_too_long", "URI Too Long", "the request URI is too long", null, null);
        case 415 -> new ErrorObject(415, "unsupported_media_type", "Unsupported Media Type",
                "send the body as application/json", ErrorObject.Source.header("Content-Type"), null);
        case 417 -> new ErrorObject(417, "expectation_failed", "Expectation Failed",
                "only Expect: 100-continue is understood", ErrorObject.Source.header("Expect"), null);
        case 431 -> new ErrorObject(431, "request_header_fields_too_large", "Request Header Fields Too Large",
                "the request headers are too large or too many", null, null);
        case 503 -> new ErrorObject(503, "service_unavailable", "Service Unavailable",
                "the service cannot take this request now; retry later", null, null);
        default -> status >= 500 ? new ErrorObject(status, "internal_error", "Internal Server Error",
                "the request could not be handled", null, null)
                : new ErrorObject(status, "error", "Error", "the request failed", null, null);
        };
    }
}

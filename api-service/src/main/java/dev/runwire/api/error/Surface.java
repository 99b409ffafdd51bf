package dev.runwire.api.error;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.vertx.core.http.HttpServerResponse;

import dev.runwire.model.json.Json;

/**
 * The API surface a request was for, and the one place that renders an error in that surface's envelope, through that
 * surface's {@link ErrorRenderer}: JSON:API error documents natively and for Zapier's Actions API, talkover's
 * {@code {success: false, message, code}}, Composio's {@code {data, successful: false, successfull: false, error,
 * logId}}. A resource declares its surface ({@link ApiSurface}); the path decides only where no resource matched. Every
 * exception mapper and every HTTP-layer handler answers through it, so one status never has two shapes on one surface.
 */
public enum Surface {

    /** Runwire's own API: JSON:API error documents. */
    NATIVE(new JsonApiRenderer()),
    /** Zapier's Actions API: JSON:API error documents, in that API's words. */
    ZAPIER(new ZapierRenderer()),
    /** talkover's agents: {@code {success: false, message, code}} with upper-case codes. */
    TALKOVER(new TalkoverRenderer()),
    /** Composio's execute surface: {@code {data: null, successful: false, successfull: false, error, logId}}. */
    COMPOSIO(new ComposioRenderer()),
    /** The MCP endpoint ({@code /mcp/...}): JSON-RPC error responses without an id (ADR 0034). */
    MCP(new JsonRpcRenderer());

    private final ErrorRenderer renderer;

    Surface(ErrorRenderer renderer) {
        this.renderer = renderer;
    }

    private static final ClassValue<ApiSurface> DECLARED = new ClassValue<>() {
        @Override
        protected ApiSurface computeValue(Class<?> type) {
            return type.getAnnotation(ApiSurface.class);
        }
    };

    /** What a resource class declares, or null when it declares nothing (or there is no class). */
    public static ApiSurface declared(Class<?> resource) {
        return resource == null ? null : DECLARED.get(resource);
    }

    /**
     * The surface of a request: the one its matched resource class declares; where no resource matched (or the class
     * declares none), the one of its path.
     */
    public static Surface of(Class<?> resource, String path) {
        ApiSurface declared = declared(resource);
        return declared != null ? declared.value() : of(path);
    }

    /**
     * The surface of a request path that no resource matched (raw or normalized; percent-encoded unreserved characters
     * are decoded first): {@code /api/v1/agents*} talkover, {@code /api/v2/*} and {@code /api/v1/connectedAccounts*}
     * Composio, {@code /actions/v1/*} Zapier, {@code /mcp/*} MCP, everything else native.
     */
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
        if (under(p, "/mcp")) {
            return MCP;
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

    /** The status and body of an error answer on this surface: never a class name or a stack trace. */
    ErrorRenderer.Rendered render(int status, List<ErrorObject> errors) {
        return renderer.render(status, errors.isEmpty() ? List.of(generic(status)) : errors);
    }

    /**
     * The status this surface answers for a failure of a status (Zapier's Actions API refuses credentials with 403).
     */
    public int status(int status) {
        return render(status, List.of()).status();
    }

    /** The body of an error answer on this surface: never a class name or a stack trace, only the given details. */
    public Object body(int status, List<ErrorObject> errors) {
        return render(status, errors).body();
    }

    /** A JAX-RS answer: this surface's status and body, and the given headers. */
    public Response response(int status, List<ErrorObject> errors, Map<String, String> headers) {
        ErrorRenderer.Rendered rendered = render(status, errors);
        Response.ResponseBuilder response = Response.status(rendered.status()).type(MediaType.APPLICATION_JSON)
                .entity(rendered.body());
        headers.forEach(response::header);
        return response.build();
    }

    /** A JAX-RS answer of a failure: its status from {@link ErrorTable}, its headers, this surface's body. */
    public Response response(RunwireException e) {
        return response(ErrorTable.status(e), ErrorTable.errors(e), ErrorTable.headers(e));
    }

    /** A JAX-RS answer of one error object. */
    public Response response(ErrorObject error) {
        return response(error.status(), List.of(error), Map.of());
    }

    /** The same answer at the Vert.x level (before or outside a resource); the response is ended. */
    public void write(HttpServerResponse response, int status, List<ErrorObject> errors) {
        write(response, status, errors, Map.of());
    }

    /** The same answer at the Vert.x level, with headers; the response is ended. */
    public void write(HttpServerResponse response, int status, List<ErrorObject> errors, Map<String, String> headers) {
        if (response.ended() || response.closed()) {
            return;
        }
        if (!response.headWritten()) {
            ErrorRenderer.Rendered rendered = render(status, errors);
            headers.forEach(response::putHeader);
            response.setStatusCode(rendered.status()).putHeader("Content-Type", "application/json");
            response.end(Json.write(rendered.body()));
        } else {
            response.end(); // a streamed answer already began: nothing else can be said
        }
    }

    /** A failure at the Vert.x level (before or outside a resource); the response is ended. */
    public void write(HttpServerResponse response, RunwireException e) {
        write(response, ErrorTable.status(e), ErrorTable.errors(e), ErrorTable.headers(e));
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

package dev.runwire.api.error;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The HTTP layer's own refusals, in the envelope of the surface the request was for ({@link Surface}), before any
 * resource is reached:
 * <ul>
 * <li>a request URI longer than {@link HttpLimits#maxUriLength()} (414), headers larger in total than
 * {@link HttpLimits#maxHeaderBytes()} or more than {@link HttpLimits#maxHeaders()} of them (431) — the HTTP decoder's
 * own limits ({@code quarkus.http.limits.max-initial-line-length}, {@code max-header-size}) are set well above these so
 * that the usual oversized requests reach this check and get a body;</li>
 * <li>a NUL character in the path (404: no resource can have it) or in a query parameter (400 naming it), since
 * PostgreSQL cannot store one;</li>
 * <li>a body announced over {@code quarkus.http.limits.max-body-size} (413); a chunked one is stopped at the limit by
 * Quarkus REST's reader, with an empty 413 (see docs/adr/0027-error-envelopes.md);</li>
 * <li>a malformed URI such as {@code /v1/actions/%zz} (400), and any failure of the router itself (no route: 404;
 * ...).</li>
 * </ul>
 * Quarkus refuses a URI that {@link java.net.URI} cannot parse before any route, with an empty 400, unless the JVM runs
 * with {@code -Dvertx.disableURIValidation=true} (read once, when Quarkus' HTTP recorder class loads, so it can only be
 * a launch option): the launchers set it, and the same check is made here, with a body. What the HTTP decoder refuses
 * before any handler runs (two Content-Lengths, a negative one, a NUL or other control character in a header, a request
 * line or headers past the decoder's limits) is answered by Vert.x's fixed invalid-request handler, without a body:
 * Quarkus 3.33 offers no way to replace it (see docs/adr/0027-error-envelopes.md).
 */
@Singleton
public class HttpEdge {

    private static final Logger LOG = Logger.getLogger(HttpEdge.class);

    // before Quarkus' own upload limit (order -2), which answers an announced oversized body without a body
    private static final int CHECK_ORDER = -10;

    private final long maxBodySize;
    private final int maxUriLength;
    private final int maxHeaderBytes;
    private final int maxHeaders;

    HttpEdge(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize, HttpLimits limits) {
        this.maxBodySize = maxBodySize.asLongValue();
        this.maxUriLength = limits.maxUriLength();
        this.maxHeaderBytes = limits.maxHeaderBytes();
        this.maxHeaders = limits.maxHeaders();
    }

    void install(@Observes Router router) {
        router.route().order(CHECK_ORDER).handler(this::check);
        router.route().order(CHECK_ORDER).failureHandler(this::failed);
        // failures no route matches, e.g. a path that cannot be decoded (%zz): the router has no path to match
        for (int status : new int[] { 400, 404, 405, 413, 414, 415, 431, 500 }) {
            router.errorHandler(status, this::failed);
        }
    }

    private void check(RoutingContext context) {
        HttpServerRequest request = context.request();
        Surface surface = Surface.of(request.path());
        if (!wellFormed(request.uri())) {
            refuse(context, surface, new ErrorObject(400, "malformed_uri", "Bad Request",
                    "the request URI is not well-formed (e.g. a % not followed by two hex digits)", null, null));
            return;
        }
        if (request.uri().length() > maxUriLength) {
            refuse(context, surface, new ErrorObject(414, "uri_too_long", "URI Too Long",
                    "the request URI is longer than " + maxUriLength + " characters", null, null));
            return;
        }
        if (tooManyHeaderBytes(request)) {
            refuse(context, surface,
                    new ErrorObject(431, "request_header_fields_too_large", "Request Header Fields Too Large",
                            "the request has more than " + maxHeaders + " headers or more than " + maxHeaderBytes
                                    + " bytes of them",
                            null, null));
            return;
        }
        if (nul(request.path())) {
            refuse(context, surface, new ErrorObject(404, "not_found", "Not Found",
                    "no resource has a NUL character in its path", null, null));
            return;
        }
        String query = request.query();
        if (query != null && nul(query)) {
            String parameter = nulParameter(context);
            refuse(context, surface,
                    new ErrorObject(400, "nul_character", "Bad Request",
                            "a query parameter contains a NUL character (%00)",
                            parameter == null ? null : ErrorObject.Source.parameter(parameter), null));
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null && announcedTooLarge(length)) {
            refuse(context, surface, new ErrorObject(413, "payload_too_large", "Payload Too Large",
                    "the request body is larger than " + maxBodySize + " bytes", null, null));
            return;
        }
        context.next();
    }

    private void failed(RoutingContext context) {
        if (context.response().ended()) {
            return;
        }
        Throwable failure = context.failure();
        int status = context.statusCode();
        if (status < 400) {
            status = 500;
        }
        ErrorObject error;
        if (status >= 500) {
            LOG.error("unexpected failure in the HTTP layer", failure);
            error = Surface.generic(status);
        } else if (status == 413) {
            error = new ErrorObject(413, "payload_too_large", "Payload Too Large",
                    "the request body is larger than " + maxBodySize + " bytes", null, null);
        } else if (status == 400 && failure != null) {
            // the router's own 400: a path it cannot decode, e.g. %zz
            error = new ErrorObject(400, "malformed_uri", "Bad Request", "the request URI is not well-formed", null,
                    null);
        } else {
            error = Surface.generic(status);
        }
        if (status == 413 || status == 400) {
            // the rest of the body may still be on its way: this connection carries no further request
            context.response().putHeader("Connection", "close");
        }
        Surface.of(context.request().path()).write(context.response(), status, List.of(error));
    }

    private static void refuse(RoutingContext context, Surface surface, ErrorObject error) {
        // the request (and any body) is left unread: close the connection after the answer
        context.response().putHeader("Connection", "close");
        surface.write(context.response(), error.status(), List.of(error));
    }

    /** More headers (each repetition counted) or more bytes of them than allowed. */
    private boolean tooManyHeaderBytes(HttpServerRequest request) {
        int count = 0;
        int bytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            count++;
            bytes += header.getKey().length() + header.getValue().length() + 4; // ": " and CRLF
        }
        return count > maxHeaders || bytes > maxHeaderBytes;
    }

    /** The check Quarkus makes before routing, made here so that its refusal has a body (see the class comment). */
    private static boolean wellFormed(String uri) {
        try {
            new java.net.URI(uri);
            return true;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private static boolean nul(String raw) {
        return raw.indexOf('\0') >= 0 || raw.contains("%00");
    }

    private static String nulParameter(RoutingContext context) {
        try {
            for (Map.Entry<String, String> parameter : context.queryParams()) {
                if (parameter.getKey().indexOf('\0') >= 0 || parameter.getValue().indexOf('\0') >= 0) {
                    return parameter.getKey().replace("\0", "\\u0000");
                }
            }
        } catch (RuntimeException e) {
            // a query that cannot be decoded: no parameter to name
        }
        return null;
    }

    private boolean announcedTooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > maxBodySize;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

package dev.runwire.api.error;

import java.util.List;
import java.util.Map;

/**
 * A failure the client should hear about, as one or more error objects. Features throw it (or use the factories); the
 * one mapper in {@link ErrorMappers} turns it into a response.
 */
public class ApiException extends RuntimeException {

    /** How long a client is asked to wait after an outage's 503. */
    public static final long RETRY_AFTER_SECONDS = 5;

    private final int status;
    private final List<ErrorObject> errors;
    private final Map<String, String> headers;

    public ApiException(int status, List<ErrorObject> errors, Map<String, String> headers) {
        super(errors.isEmpty() ? "error " + status : errors.get(0).detail(), null, false, false);
        this.status = status;
        this.errors = List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    public ApiException(ErrorObject error) {
        this(error.status(), List.of(error), Map.of());
    }

    public int status() {
        return status;
    }

    public List<ErrorObject> errors() {
        return errors;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static ApiException badRequest(String detail, ErrorObject.Source source) {
        return new ApiException(new ErrorObject(400, "bad_request", "Bad Request", detail, source, null));
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(new ErrorObject(401, "unauthorized", "Unauthorized", detail, null, null));
    }

    /**
     * The 503 of an outage (the broker or the database away): nothing was written, and the client may retry after
     * {@value #RETRY_AFTER_SECONDS} seconds. Zapier's Actions API documents the body's code as spelled here.
     */
    public static ApiException unavailable() {
        return new ApiException(503,
                List.of(new ErrorObject(503, "service_unavaiable", "Service Unavailable",
                        "Service is temporarily unavailable", null, null)),
                Map.of("Retry-After", String.valueOf(RETRY_AFTER_SECONDS)));
    }

    /** Zapier's Actions API's 402 with no task left on the account. */
    public static ApiException paymentRequired() {
        return new ApiException(new ErrorObject(402, "payment_required", "Payment Required",
                "Insufficient tasks on account", null, null));
    }

    public static ApiException notFound(String detail) {
        return new ApiException(new ErrorObject(404, "not_found", "Not Found", detail, null, null));
    }

    public static ApiException conflict(String code, String detail, ErrorObject.Source source) {
        return new ApiException(new ErrorObject(409, code, "Conflict", detail, source, null));
    }

    /** One 422 error: the request is well-formed but its content is not acceptable. */
    public static ApiException invalid(String code, String detail, String pointer) {
        return new ApiException(new ErrorObject(422, code, "Unprocessable Entity", detail,
                pointer == null ? null : ErrorObject.Source.pointer(pointer), null));
    }

    /** Several 422 errors at once, e.g. one per schema violation. */
    public static ApiException invalid(List<ErrorObject> errors) {
        return new ApiException(422, errors, Map.of());
    }

    public static ErrorObject violation(String code, String detail, String pointer) {
        return new ErrorObject(422, code, "Unprocessable Entity", detail, ErrorObject.Source.pointer(pointer), null);
    }
}

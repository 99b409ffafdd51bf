package dev.runwire.api.error;

import java.util.List;
import java.util.Map;

/**
 * The older, HTTP-shaped failure: a status and JSON:API error objects. New code throws a {@link RunwireException}
 * (which, for now, is one of these, so that code still catching this type sees it). The factories below already make
 * the surface-neutral kinds; only the constructors, which take a status, still make a failure of this type itself. Each
 * call maps 1:1 to its replacement (docs/adr/0033-the-error-seam.md, "Left to convert").
 *
 * @deprecated throw a {@link RunwireException}
 */
@Deprecated
public class ApiException extends RuntimeException {

    /** How long a client is asked to wait after an outage's 503. */
    public static final long RETRY_AFTER_SECONDS = RunwireException.Unavailable.RETRY_AFTER_SECONDS;

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

    /** For {@link RunwireException}, whose status, error objects and headers come from {@link ErrorTable}. */
    ApiException(String message) {
        super(message, null, false, false);
        this.status = 0;
        this.errors = List.of();
        this.headers = Map.of();
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

    /** {@code new RunwireException.Malformed(detail, source)} */
    public static ApiException badRequest(String detail, ErrorObject.Source source) {
        return new RunwireException.Malformed(detail, source);
    }

    /** {@code new RunwireException.Unauthenticated(detail)} */
    public static ApiException unauthorized(String detail) {
        return new RunwireException.Unauthenticated(detail);
    }

    /** {@code new RunwireException.Unavailable()} */
    public static ApiException unavailable() {
        return new RunwireException.Unavailable();
    }

    /** {@code new RunwireException.PaymentRequired()} */
    public static ApiException paymentRequired() {
        return new RunwireException.PaymentRequired();
    }

    /** {@code new RunwireException.NotFound(detail)} */
    public static ApiException notFound(String detail) {
        return new RunwireException.NotFound(detail);
    }

    /** {@code new RunwireException.Conflict(code, detail, source)} */
    public static ApiException conflict(String code, String detail, ErrorObject.Source source) {
        return new RunwireException.Conflict(code, detail, source);
    }

    /** {@code new RunwireException.Invalid(code, detail, pointer)} */
    public static ApiException invalid(String code, String detail, String pointer) {
        return new RunwireException.Invalid(code, detail, pointer);
    }

    /**
     * {@code new RunwireException.Invalid(problems)}, the list built of {@link Problem}s instead of
     * {@link #violation}s. A list holding anything but 422 objects keeps its objects as they are.
     */
    public static ApiException invalid(List<ErrorObject> errors) {
        if (!errors.isEmpty() && errors.stream().allMatch(ApiException::isViolation)) {
            return new RunwireException.Invalid(errors.stream().map(Problem::of).toList());
        }
        return new ApiException(422, errors, Map.of());
    }

    /** {@code Problem.at(code, detail, pointer)} */
    public static ErrorObject violation(String code, String detail, String pointer) {
        return ErrorTable.object(422, new Problem(code, detail, ErrorObject.Source.pointer(pointer), null));
    }

    /** The 422 error objects of problems, for code that still collects {@link ErrorObject}s. */
    public static List<ErrorObject> violations(List<Problem> problems) {
        return problems.stream().map(p -> ErrorTable.object(422, p)).toList();
    }

    private static boolean isViolation(ErrorObject error) {
        return error.status() == 422 && "Unprocessable Entity".equals(error.title());
    }
}

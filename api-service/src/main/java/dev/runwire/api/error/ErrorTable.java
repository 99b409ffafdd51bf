package dev.runwire.api.error;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.api.error.RunwireException.Internal;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.error.RunwireException.PaymentRequired;
import dev.runwire.api.error.RunwireException.RateLimited;
import dev.runwire.api.error.RunwireException.Unauthenticated;
import dev.runwire.api.error.RunwireException.Unavailable;
import dev.runwire.api.error.RunwireException.UpstreamFailed;

/**
 * The one table from a kind of failure to its HTTP status (and the headers that go with it). A surface's renderer may
 * still say a status its own way (Zapier's Actions API refuses credentials with a 403); nothing else decides statuses.
 */
public final class ErrorTable {

    /** Each kind of {@link RunwireException} and its status; keep alphabetical. */
    static final Map<Class<? extends RunwireException>, Integer> STATUS = Map.of(Conflict.class, 409, Internal.class,
            500, Invalid.class, 422, Malformed.class, 400, NotFound.class, 404, PaymentRequired.class, 402,
            RateLimited.class, 429, Unauthenticated.class, 401, Unavailable.class, 503, UpstreamFailed.class, 502);

    private ErrorTable() {
    }

    /** The HTTP status of a failure. */
    public static int status(RunwireException e) {
        Integer status = STATUS.get(e.getClass());
        if (status == null) {
            throw new IllegalStateException("no status for " + e.getClass().getSimpleName());
        }
        return status;
    }

    /** The headers that go with a failure: the rate limit's, and when to retry. */
    public static Map<String, String> headers(RunwireException e) {
        if (e instanceof RateLimited limited) {
            Map<String, String> headers = new LinkedHashMap<>(
                    rateLimitHeaders(limited.limit(), limited.remaining(), limited.resetAt()));
            headers.put("Retry-After", Long.toString(limited.retryAfter()));
            return headers;
        }
        if (e instanceof Unavailable unavailable) {
            return Map.of("Retry-After", String.valueOf(unavailable.retryAfter()));
        }
        return Map.of();
    }

    /** The {@code X-RateLimit-*} headers of a counted response, admitted or not. */
    public static Map<String, String> rateLimitHeaders(int limit, int remaining, long resetAt) {
        return Map.of("X-RateLimit-Limit", Integer.toString(limit), "X-RateLimit-Remaining",
                Integer.toString(remaining), "X-RateLimit-Reset", Long.toString(resetAt));
    }

    /** A failure's problems as JSON:API error objects of its status, the form every renderer reads. */
    public static List<ErrorObject> errors(RunwireException e) {
        int status = status(e);
        return e.problems().stream().map(p -> object(status, p)).toList();
    }

    /** One problem as an error object of a status, titled by the status. */
    public static ErrorObject object(int status, Problem problem) {
        return new ErrorObject(status, problem.code(), title(status), problem.detail(), problem.source(),
                problem.meta());
    }

    /** The title of a status: its reason phrase. */
    public static String title(int status) {
        return switch (status) {
        case 400 -> "Bad Request";
        case 401 -> "Unauthorized";
        case 402 -> "Payment Required";
        case 403 -> "Forbidden";
        case 404 -> "Not Found";
        case 409 -> "Conflict";
        case 422 -> "Unprocessable Entity";
        case 429 -> "Too Many Requests";
        case 500 -> "Internal Server Error";
        case 502 -> "Bad Gateway";
        case 503 -> "Service Unavailable";
        default -> "Error";
        };
    }
}

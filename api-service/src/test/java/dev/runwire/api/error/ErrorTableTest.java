package dev.runwire.api.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

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

/** The one table from a kind of failure to its status, headers and error objects; and the older type's factories. */
class ErrorTableTest {

    @Test
    void everyKindHasItsStatus() {
        Set<Class<?>> kinds = Arrays.stream(RunwireException.class.getPermittedSubclasses())
                .collect(Collectors.toSet());
        assertEquals(kinds, ErrorTable.STATUS.keySet(), "each kind of failure is in the table, and only those");
        assertEquals(400, ErrorTable.status(new Malformed("x", null)));
        assertEquals(401, ErrorTable.status(new Unauthenticated("x")));
        assertEquals(402, ErrorTable.status(new PaymentRequired()));
        assertEquals(404, ErrorTable.status(new NotFound("x")));
        assertEquals(409, ErrorTable.status(new Conflict("c", "x", null)));
        assertEquals(422, ErrorTable.status(new Invalid("c", "x", "/a")));
        assertEquals(429, ErrorTable.status(new RateLimited(10, 0, 1000, 7)));
        assertEquals(500, ErrorTable.status(new Internal("x")));
        assertEquals(502, ErrorTable.status(new UpstreamFailed("c", "x")));
        assertEquals(503, ErrorTable.status(new Unavailable()));
    }

    @Test
    void problemsBecomeErrorObjectsOfTheStatus() {
        Invalid invalid = new Invalid(List.of(Problem.at("a", "first", "/a"), Problem.at("b", "second", "/b")));
        assertEquals(List.of(
                new ErrorObject(422, "a", "Unprocessable Entity", "first", ErrorObject.Source.pointer("/a"), null),
                new ErrorObject(422, "b", "Unprocessable Entity", "second", ErrorObject.Source.pointer("/b"), null)),
                ErrorTable.errors(invalid));
        assertEquals("first", invalid.getMessage());
        Conflict conflict = new Conflict(Problem.at("ambiguous_connection", "name one", "/entityId")
                .withMeta(Map.of("candidates", List.of("a", "b"))));
        assertEquals(
                new ErrorObject(409, "ambiguous_connection", "Conflict", "name one",
                        ErrorObject.Source.pointer("/entityId"), Map.of("candidates", List.of("a", "b"))),
                ErrorTable.errors(conflict).get(0));
        assertEquals(
                new ErrorObject(400, "bad_request", "Bad Request", "token is required",
                        ErrorObject.Source.parameter("token"), null),
                ErrorTable.errors(new Malformed("token is required", ErrorObject.Source.parameter("token"))).get(0));
    }

    @Test
    void headersGoWithTheirKinds() {
        assertEquals(Map.of("Retry-After", "5"), ErrorTable.headers(new Unavailable()));
        assertEquals(Map.of("X-RateLimit-Limit", "10", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1000",
                "Retry-After", "7"), ErrorTable.headers(new RateLimited(10, 0, 1000, 7)));
        assertEquals(Map.of(), ErrorTable.headers(new NotFound("x")));
    }

    /** The older type's factories make the new kinds, and these answer exactly what the factories answered before. */
    @Test
    void theOlderFactoriesAnswerAsBefore() {
        assertSame(new ApiException(404, List.of(new ErrorObject(404, "not_found", "Not Found", "no run", null, null)),
                Map.of()), ApiException.notFound("no run"), NotFound.class);
        assertSame(new ApiException(
                new ErrorObject(422, "bad", "Unprocessable Entity", "no", ErrorObject.Source.pointer(""), null)),
                ApiException.invalid("bad", "no", ""), Invalid.class);
        assertSame(new ApiException(new ErrorObject(422, "bad", "Unprocessable Entity", "no", null, null)),
                ApiException.invalid("bad", "no", null), Invalid.class);
        assertSame(
                new ApiException(
                        new ErrorObject(409, "taken", "Conflict", "taken", ErrorObject.Source.header("H"), null)),
                ApiException.conflict("taken", "taken", ErrorObject.Source.header("H")), Conflict.class);
        assertSame(
                new ApiException(new ErrorObject(400, "bad_request", "Bad Request", "no",
                        ErrorObject.Source.parameter("p"), null)),
                ApiException.badRequest("no", ErrorObject.Source.parameter("p")), Malformed.class);
        assertSame(new ApiException(new ErrorObject(401, "unauthorized", "Unauthorized", "no key", null, null)),
                ApiException.unauthorized("no key"), Unauthenticated.class);
        assertSame(
                new ApiException(new ErrorObject(402, "payment_required", "Payment Required",
                        "Insufficient tasks on account", null, null)),
                ApiException.paymentRequired(), PaymentRequired.class);
        assertSame(
                new ApiException(503,
                        List.of(new ErrorObject(503, "service_unavaiable", "Service Unavailable",
                                "Service is temporarily unavailable", null, null)),
                        Map.of("Retry-After", "5")),
                ApiException.unavailable(), Unavailable.class);
        List<ErrorObject> violations = List.of(ApiException.violation("a", "first", "/a"),
                ApiException.violation("b", "second", "/b"));
        assertSame(new ApiException(422, violations, Map.of()), ApiException.invalid(violations), Invalid.class);
        // a list that is not all 422s keeps its objects as they are
        List<ErrorObject> mixed = List.of(new ErrorObject(400, "x", "Bad Request", "x", null, null));
        ApiException raw = ApiException.invalid(mixed);
        assertEquals(422, raw.status());
        assertEquals(mixed, raw.errors());
    }

    private static void assertSame(ApiException before, ApiException now, Class<?> kind) {
        assertInstanceOf(kind, now);
        assertEquals(before.status(), now.status());
        assertEquals(before.errors(), now.errors());
        assertEquals(before.headers(), now.headers());
        assertEquals(before.getMessage(), now.getMessage());
        assertTrue(now instanceof RunwireException);
    }
}

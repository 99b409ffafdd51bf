package dev.runwire.api.error;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** The one table from a kind of failure to its status, headers and error objects. */
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

    /** Each kind answers exactly the status, error objects and headers its older factory answered. */
    @Test
    void theKindsAnswerAsTheOlderFactoriesDid() {
        assertAnswers(404, List.of(new ErrorObject(404, "not_found", "Not Found", "no run", null, null)), Map.of(),
                "no run", new NotFound("no run"));
        assertAnswers(422, List
                .of(new ErrorObject(422, "bad", "Unprocessable Entity", "no", ErrorObject.Source.pointer(""), null)),
                Map.of(), "no", new Invalid("bad", "no", ""));
        assertAnswers(422, List.of(new ErrorObject(422, "bad", "Unprocessable Entity", "no", null, null)), Map.of(),
                "no", new Invalid("bad", "no", null));
        assertAnswers(409,
                List.of(new ErrorObject(409, "taken", "Conflict", "taken", ErrorObject.Source.header("H"), null)),
                Map.of(), "taken", new Conflict("taken", "taken", ErrorObject.Source.header("H")));
        assertAnswers(400, List
                .of(new ErrorObject(400, "bad_request", "Bad Request", "no", ErrorObject.Source.parameter("p"), null)),
                Map.of(), "no", new Malformed("no", ErrorObject.Source.parameter("p")));
        assertAnswers(401, List.of(new ErrorObject(401, "unauthorized", "Unauthorized", "no key", null, null)),
                Map.of(), "no key", new Unauthenticated("no key"));
        assertAnswers(
                402, List.of(new ErrorObject(402, "payment_required", "Payment Required",
                        "Insufficient tasks on account", null, null)),
                Map.of(), "Insufficient tasks on account", new PaymentRequired());
        assertAnswers(503,
                List.of(new ErrorObject(503, "service_unavaiable", "Service Unavailable",
                        "Service is temporarily unavailable", null, null)),
                Map.of("Retry-After", "5"), "Service is temporarily unavailable", new Unavailable());
        assertAnswers(422, List.of(
                new ErrorObject(422, "a", "Unprocessable Entity", "first", ErrorObject.Source.pointer("/a"), null),
                new ErrorObject(422, "b", "Unprocessable Entity", "second", ErrorObject.Source.pointer("/b"), null)),
                Map.of(), "first",
                new Invalid(List.of(Problem.at("a", "first", "/a"), Problem.at("b", "second", "/b"))));
        // what the older constructors made by hand in the converted files
        assertAnswers(400,
                List.of(new ErrorObject(400, "invalid_state", "Bad Request", "unknown state",
                        ErrorObject.Source.parameter("state"), null)),
                Map.of(), "unknown state", new Malformed(Problem.parameter("invalid_state", "unknown state", "state")));
        assertAnswers(404, List.of(new ErrorObject(404, "AGENT_NOT_FOUND", "Not Found", "Agent not found", null, null)),
                Map.of(), "Agent not found", new NotFound(Problem.of("AGENT_NOT_FOUND", "Agent not found")));
        assertAnswers(502,
                List.of(new ErrorObject(502, "token_endpoint_unavailable", "Bad Gateway", "timed out", null, null)),
                Map.of(), "timed out", new UpstreamFailed("token_endpoint_unavailable", "timed out"));
    }

    private static void assertAnswers(int status, List<ErrorObject> errors, Map<String, String> headers, String message,
            RunwireException e) {
        assertEquals(status, ErrorTable.status(e));
        assertEquals(errors, ErrorTable.errors(e));
        assertEquals(headers, ErrorTable.headers(e));
        assertEquals(message, e.getMessage());
    }
}

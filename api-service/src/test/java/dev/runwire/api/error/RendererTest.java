package dev.runwire.api.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.api.error.RunwireException.RateLimited;
import dev.runwire.api.error.RunwireException.Unauthenticated;
import dev.runwire.api.error.RunwireException.Unavailable;

/** Each surface's renderer: the status it answers and its envelope, for the kinds of failure. */
class RendererTest {

    private static final ErrorObject NOT_FOUND = new ErrorObject(404, "not_found", "Not Found", "no run with id x",
            null, null);
    private static final ErrorObject INVALID = new ErrorObject(422, "input_invalid", "Unprocessable Entity",
            "must be a string", ErrorObject.Source.pointer("/input/x"), null);

    @Test
    void nativeAnswersTheErrorObjectsAsTheyAre() {
        ErrorRenderer.Rendered rendered = new JsonApiRenderer().render(404, List.of(NOT_FOUND));
        assertEquals(new ErrorRenderer.Rendered(404, new ErrorBody(List.of(NOT_FOUND))), rendered);
        assertEquals(
                new ErrorRenderer.Rendered(401,
                        new ErrorBody(
                                List.of(new ErrorObject(401, "unauthorized", "Unauthorized", "no key", null, null)))),
                Surface.NATIVE.render(401, ErrorTable.errors(new Unauthenticated("no key"))));
    }

    @Test
    void zapierRefusesCredentialsWith403AndNamesIts500() {
        assertEquals(
                new ErrorRenderer.Rendered(403,
                        new ErrorBody(List.of(new ErrorObject(403, "permission_denied", "Permission Denied",
                                "Permission denied. Unauthorized request (the API key is not valid).", null, null)))),
                Surface.ZAPIER.render(401, ErrorTable.errors(new Unauthenticated("the API key is not valid"))));
        assertEquals(
                new ErrorRenderer.Rendered(500,
                        new ErrorBody(List.of(new ErrorObject(500, "external_service_error", "Internal Server Error",
                                "the request could not be handled", null, null)))),
                Surface.ZAPIER.render(500, List.of(Surface.generic(500))));
        // 409 and 422 stay: the 400 of a run that cannot start is said per call (ZapierRuns)
        assertEquals(422, Surface.ZAPIER.render(422, List.of(INVALID)).status());
        assertEquals(new ErrorBody(List.of(INVALID)), Surface.ZAPIER.render(422, List.of(INVALID)).body());
        Response limited = Surface.ZAPIER.response(new RateLimited(200, 0, 1700000000, 30));
        assertEquals(429, limited.getStatus());
        assertEquals("30", limited.getHeaderString("Retry-After"));
        assertEquals("200", limited.getHeaderString("X-RateLimit-Limit"));
    }

    @Test
    void talkoverSaysAMessageAndAnUpperCaseCode() {
        assertEquals(new TalkoverRenderer.Failure(false, "Unauthenticated.", "INVALID_TOKEN"),
                Surface.TALKOVER.body(401, ErrorTable.errors(new Unauthenticated("the API key is not valid"))));
        assertEquals(new TalkoverRenderer.Failure(false, "must be a string (at /input/x)", "VALIDATION_ERROR"),
                Surface.TALKOVER.body(422, List.of(INVALID)));
        assertEquals(new TalkoverRenderer.Failure(false, "no run with id x", "NOT_FOUND"),
                Surface.TALKOVER.body(404, List.of(NOT_FOUND)));
        assertEquals(new TalkoverRenderer.Failure(false, "Service is temporarily unavailable", "SERVER_ERROR"),
                Surface.TALKOVER.body(503, ErrorTable.errors(new Unavailable())));
        assertEquals(new TalkoverRenderer.Failure(false, "the action is inactive", "ACTION_INACTIVE"),
                Surface.TALKOVER.body(409, List.of(
                        new ErrorObject(409, "ACTION_INACTIVE", "Conflict", "the action is inactive", null, null))));
    }

    @Test
    void composioSaysTheDetailsWithTheirFacts() {
        Invalid two = new Invalid(List.of(Problem.at("a", "first", "/a"), Problem.at("b", "second", "/b")));
        assertEquals(new ComposioRenderer.Failure(null, false, false, "first (at /a); second (at /b)", null),
                Surface.COMPOSIO.body(422, ErrorTable.errors(two)));
        assertEquals(new ComposioRenderer.Failure(null, false, false, "Internal server error.", null),
                Surface.COMPOSIO.body(500, List.of(Surface.generic(500))));
        Response unavailable = Surface.COMPOSIO.response(new Unavailable());
        assertEquals(503, unavailable.getStatus());
        assertEquals("5", unavailable.getHeaderString("Retry-After"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void mcpAnswersAJsonRpcErrorWithoutAnId() {
        Response refused = Surface.MCP.response(new Unauthenticated("the API key is not valid"));
        assertEquals(401, refused.getStatus());
        java.util.Map<String, Object> body = (java.util.Map<String, Object>) refused.getEntity();
        assertEquals("2.0", body.get("jsonrpc"));
        assertTrue(body.containsKey("id") && body.get("id") == null);
        java.util.Map<String, Object> error = (java.util.Map<String, Object>) body.get("error");
        assertEquals(-32600, error.get("code"));
        assertEquals("the API key is not valid", error.get("message"));
        Response unavailable = Surface.MCP.response(new Unavailable());
        assertEquals(503, unavailable.getStatus());
        assertEquals("5", unavailable.getHeaderString("Retry-After"));
        assertEquals(-32603,
                ((java.util.Map<String, Object>) ((java.util.Map<String, Object>) unavailable.getEntity()).get("error"))
                        .get("code"));
    }

    @Test
    void aProblemMadeByHandIsAnsweredAsItWasBuilt() {
        Response response = Surface.NATIVE
                .response(new Malformed(Problem.parameter("invalid_state", "unknown state", "state")));
        assertEquals(400, response.getStatus());
        assertEquals(new ErrorBody(List.of(new ErrorObject(400, "invalid_state", "Bad Request", "unknown state",
                ErrorObject.Source.parameter("state"), null))), response.getEntity());
    }
}

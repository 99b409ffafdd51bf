package dev.runwire.api.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.configuration.MemorySize;

/** The surface of a path, each surface's envelope, and how the request mapper's refusals read; no Quarkus needed. */
class SurfaceTest {

    @Test
    void theSurfaceFollowsThePathAsTheRouterNormalizesIt() {
        assertEquals(Surface.TALKOVER, Surface.of("/api/v1/agents"));
        assertEquals(Surface.TALKOVER, Surface.of("/api/v1/agents/x/actions"));
        assertEquals(Surface.TALKOVER, Surface.of("/api/v1/%61gents/x"));
        assertEquals(Surface.TALKOVER, Surface.of("/x/../api/v1/agents"));
        assertEquals(Surface.NATIVE, Surface.of("/api/v1/agentsfoo"));
        assertEquals(Surface.COMPOSIO, Surface.of("/api/v2/actions/a/execute"));
        assertEquals(Surface.COMPOSIO, Surface.of("/api/v1/connectedAccounts"));
        assertEquals(Surface.MCP, Surface.of("/mcp/3f0c8b4e-0000-4000-8000-000000000000"));
        assertEquals(Surface.NATIVE, Surface.of("/v1/mcp-servers"));
        assertEquals(Surface.ZAPIER, Surface.of("/actions/v1/runs"));
        assertEquals(Surface.NATIVE, Surface.of("/v1/actions/%zz"));
        assertEquals(Surface.NATIVE, Surface.of(null));
    }

    @Test
    void eachSurfaceHasItsEnvelope() {
        ErrorObject error = new ErrorObject(409, "ambiguous_connection", "Conflict", "name one",
                ErrorObject.Source.pointer("/entityId"), Map.of("candidates", List.of("a", "b")));
        assertEquals(new ErrorBody(List.of(error)), Surface.NATIVE.body(409, List.of(error)));
        assertEquals(new TalkoverRenderer.Failure(false, "name one (at /entityId)", "AMBIGUOUS_CONNECTION"),
                Surface.TALKOVER.body(409, List.of(error)));
        assertEquals(
                new ComposioRenderer.Failure(null, false, false, "name one (at /entityId) (candidates: a, b)", null),
                Surface.COMPOSIO.body(409, List.of(error)));
        // talkover's own error codes
        assertEquals("INVALID_TOKEN", talkoverCode(401));
        assertEquals("SERVER_ERROR", talkoverCode(500));
        assertEquals("VALIDATION_ERROR", talkoverCode(400));
        assertEquals("PAYLOAD_TOO_LARGE", talkoverCode(413));
        assertEquals(new TalkoverRenderer.Failure(false, "Internal server error.", "SERVER_ERROR"),
                Surface.TALKOVER.body(500, List.of(Surface.generic(500))));
    }

    private static String talkoverCode(int status) {
        return ((TalkoverRenderer.Failure) Surface.TALKOVER.body(status, List.of(Surface.generic(status)))).code();
    }

    private static final ObjectMapper MAPPER = mapper();

    private static ObjectMapper mapper() {
        ObjectMapper mapper = new ObjectMapper(new RequestJson.NulRefusingFactory());
        new JsonLimits(new MemorySize(java.math.BigInteger.valueOf(1024 * 1024))).customize(mapper);
        // as Quarkus configures it: unknown keys are skipped (and still read for NUL characters)
        mapper.disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        return mapper;
    }

    private static ErrorObject refusal(String json) {
        JsonProcessingException e = assertThrows(JsonProcessingException.class,
                () -> MAPPER.readValue(json, Body.class));
        return RequestJson.problem(e);
    }

    /** A body with a typed field and a free-form one. */
    record Body(String name, JsonNode input) {
    }

    @Test
    void nulCharactersAnywhereAreRefusedWithTheirPointer() {
        assertEquals("/name", refusal("{\"name\":\"a\\u0000\"}").source().pointer());
        assertEquals("/input/a/1", refusal("{\"input\":{\"a\":[1,\"\\u0000\"]}}").source().pointer());
        assertEquals("nul_character", refusal("{\"input\":{\"k\\u0000\":1}}").code());
        assertEquals("nul_character", refusal("{\"unknown\":{\"x\":[\"\\u0000\"]}}").code());
    }

    @Test
    void duplicatesAndLimitsAreRefusedInOurWords() {
        ErrorObject duplicate = refusal("{\"input\":{\"k\":1,\"k\":2}}");
        assertEquals("duplicate_key", duplicate.code());
        assertEquals("/input/k", duplicate.source().pointer());
        assertTrue(duplicate.detail().contains("\"k\""), duplicate.detail());
        ErrorObject deep = refusal("{\"input\":" + "[".repeat(150) + "]".repeat(150) + "}");
        assertEquals("json_limit_exceeded", deep.code());
        assertTrue(deep.detail().contains("100 levels"), deep.detail());
        ErrorObject number = refusal("{\"input\":" + "1".repeat(101) + "}");
        assertTrue(number.detail().contains("number"), number.detail());
        for (ErrorObject e : List.of(duplicate, deep, number)) {
            assertTrue(!e.detail().contains("jackson") && !e.detail().contains("StreamReadConstraints"), e.detail());
        }
    }

    @Test
    void ordinaryBodiesReadAsBefore() throws Exception {
        Body body = MAPPER.readValue("{\"name\":\"a\",\"input\":{\"deep\":[{\"x\":\"y\"}]},\"other\":[1,{\"z\":2}]}",
                Body.class);
        assertEquals("a", body.name());
        assertEquals("y", body.input().at("/deep/0/x").asText());
    }
}

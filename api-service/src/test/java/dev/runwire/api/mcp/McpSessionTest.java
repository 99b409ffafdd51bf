package dev.runwire.api.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.json.Json;

/**
 * What a session's declared capabilities allow (an empty {@code elicitation} is form mode, as the 2025-11-25 text says
 * for backwards compatibility), which {@code Accept} headers take a stream, and which session ids can be ours.
 */
class McpSessionTest {

    @Test
    void elicitationModesFollowTheDeclaration() {
        assertTrue(session("{\"elicitation\":{}}").elicitsForms());
        assertFalse(session("{\"elicitation\":{}}").elicitsUrls());
        assertTrue(session("{\"elicitation\":{\"form\":{},\"url\":{}}}").elicitsUrls());
        assertTrue(session("{\"elicitation\":{\"form\":{},\"url\":{}}}").elicitsForms());
        assertFalse(session("{\"elicitation\":{\"url\":{}}}").elicitsForms());
        assertFalse(session("{\"elicitation\":true}").elicitsForms());
        assertFalse(session("{\"roots\":{}}").elicitsForms());
        assertFalse(session("{\"elicitation\":{\"url\":true}}").elicitsUrls());
    }

    @Test
    void aStreamIsTakenOnlyWhenAcceptSaysSo() {
        assertTrue(McpEndpoint.accepts("application/json, text/event-stream", "text/event-stream"));
        assertTrue(McpEndpoint.accepts("text/event-stream;q=0.5", "text/event-stream"));
        assertTrue(McpEndpoint.accepts("TEXT/EVENT-STREAM", "text/event-stream"));
        assertTrue(McpEndpoint.accepts("text/*", "text/event-stream"));
        assertFalse(McpEndpoint.accepts("application/json", "text/event-stream"));
        assertFalse(McpEndpoint.accepts(null, "text/event-stream"));
        assertFalse(McpEndpoint.accepts("text/event-streams", "text/event-stream"));
    }

    @Test
    void onlyUuidsCanBeSessions() {
        UUID id = UUID.randomUUID();
        assertEquals(id, McpProtocol.sessionId(id.toString()));
        assertNull(McpProtocol.sessionId("not-a-session"));
        assertNull(McpProtocol.sessionId("1-1-1-1-1"));
        assertNull(McpProtocol.sessionId("rwc_" + id));
    }

    private static McpSessions.Session session(String capabilities) {
        return new McpSessions.Session(UUID.randomUUID(), "2025-11-25", Json.read(capabilities, JsonNode.class));
    }
}

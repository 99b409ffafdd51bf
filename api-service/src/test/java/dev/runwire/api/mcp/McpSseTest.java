package dev.runwire.api.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * A stream's event ids ({@code <stream>_<sequence>}, ADR 0034 "Resuming a stream"): what is written is read back as the
 * same position, and nothing else is a position (so a GET with it is 400, never a 500).
 */
class McpSseTest {

    static final UUID STREAM = UUID.fromString("5d0c2f7e-9b1a-4c3e-8f21-6a7b8c9d0e1f");

    @Test
    void anEventIdIsReadBackAsItsPosition() {
        for (long seq : new long[] { 0, 1, 42, Long.MAX_VALUE }) {
            assertEquals(new McpSse.Position(STREAM, seq), McpSse.position(McpSse.eventId(STREAM, seq)));
        }
        assertEquals(McpSse.MAX_EVENT_ID, McpSse.eventId(STREAM, Long.MAX_VALUE).length());
    }

    @Test
    void anythingElseIsNoPosition() {
        String id = McpSse.eventId(STREAM, 7);
        for (String bad : new String[] { null, "", "garbage", STREAM.toString(), STREAM + "_", STREAM + "_-1",
                STREAM + "_+1", STREAM + "_1x", STREAM + "_ 1", STREAM + "-1", STREAM + "_9223372036854775808",
                STREAM + "_99999999999999999999", "x".repeat(36) + "_1", "_" + id, id + "\r\n", id + "\u0000",
                "x".repeat(10_000), "5d0c2f7e-9b1a-4c3e-8f21-6a7b8c9d0e1_12", STREAM + "_١" }) {
            assertNull(McpSse.position(bad), String.valueOf(bad));
        }
    }

    @Test
    void aFrameCarriesItsIdOnlyWhenItHasOne() {
        var message = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0");
        assertEquals("id: " + STREAM + "_3\nevent: message\ndata: {\"jsonrpc\":\"2.0\"}\n\n",
                new String(McpSse.frame(message, McpSse.eventId(STREAM, 3)), StandardCharsets.UTF_8));
        assertEquals("event: message\ndata: {\"jsonrpc\":\"2.0\"}\n\n",
                new String(McpSse.frame(message, null), StandardCharsets.UTF_8));
    }
}

package dev.runwire.api.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.netty.buffer.ByteBuf;

import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.run.RunStatus;

/**
 * An event's frame is encoded once and handed to every reader as a view of the same bytes: an HTTP/1.1 chunk whose size
 * line counts the frame's bytes (not its characters), each view with an index of its own, none able to free the bytes.
 */
class StreamedEventTest {

    private final UUID runId = UUID.randomUUID();

    @Test
    void theChunkIsTheFrameWithItsSizeInBytesAndEveryReaderGetsItsOwnView() {
        // non-ASCII text: the size line must count bytes
        StreamedEvent streamed = new StreamedEvent(event(7, "étape ✓"));
        String frame = streamed.frame(false).toString(StandardCharsets.UTF_8);
        assertTrue(frame.startsWith("id: 7\nevent: STEP_STARTED\ndata: {"), frame);
        assertTrue(frame.endsWith("}\n\n"), frame);
        assertTrue(frame.contains("étape ✓"), frame);

        ByteBuf first = streamed.chunk(false);
        ByteBuf second = streamed.chunk(false);
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        String expected = Integer.toHexString(bytes.length) + "\r\n" + frame + "\r\n";
        assertEquals(expected, first.toString(StandardCharsets.UTF_8));
        assertTrue(first.isDirect(), "sent without a copy into memory the socket can use");

        // one connection's write moves its own view only
        first.skipBytes(first.readableBytes());
        assertEquals(expected, second.toString(StandardCharsets.UTF_8));
        // and its release after the write frees nothing another reader still needs
        assertFalse(first.release());
        assertEquals(expected, streamed.chunk(false).toString(StandardCharsets.UTF_8));
        assertSame(streamed.frame(false), streamed.frame(false), "encoded once");
    }

    @Test
    void toolCallsAreOnlyInTheFullFrame() {
        StreamedEvent streamed = new StreamedEvent(event(3, "step"));
        assertTrue(streamed.chunk(true).toString(StandardCharsets.UTF_8).contains("\"input\""));
        assertFalse(streamed.chunk(false).toString(StandardCharsets.UTF_8).contains("\"input\""));
    }

    private RunEvent event(long seq, String description) {
        return new RunEvent(RunEvent.idFor(runId, seq), runId, seq, RunEventType.STEP_STARTED, "s1", description,
                Instant.now(), RunStatus.RUNNING, JsonNodeFactory.instance.objectNode().put("id", "x"), null, null,
                null, null, null);
    }
}

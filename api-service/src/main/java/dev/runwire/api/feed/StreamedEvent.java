package dev.runwire.api.feed;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

import dev.runwire.model.event.RunEvent;
import dev.runwire.model.json.Json;

/**
 * An event on its way to stream readers, with its two SSE frames (with and without tool calls) encoded at most once,
 * however many readers it reaches. Each frame is kept as one HTTP/1.1 chunk (size line, frame, CRLF) in memory outside
 * the heap: every reader's connection is handed a view of the same bytes, so a thousand readers cost no copy, and a
 * slow reader's queue holds views, not copies.
 */
public final class StreamedEvent {

    private static final byte[] CRLF = { '\r', '\n' };

    private final RunEvent event;
    private volatile Frame full;
    private volatile Frame brief;

    public StreamedEvent(RunEvent event) {
        this.event = event;
    }

    public RunEvent event() {
        return event;
    }

    /** The SSE frame, with or without the event's tool calls, encoded once per kind. */
    public Buffer frame(boolean toolCalls) {
        return encoded(toolCalls).frame;
    }

    /**
     * The same frame as an HTTP/1.1 chunk, for a connection's own write (the caller's view: its reader index is its
     * own). The bytes are shared and never released: the garbage collector frees them with the event.
     */
    public ByteBuf chunk(boolean toolCalls) {
        return encoded(toolCalls).chunk.duplicate();
    }

    private Frame encoded(boolean toolCalls) {
        if (toolCalls) {
            Frame frame = full;
            if (frame == null) {
                frame = full = Frame.of(event);
            }
            return frame;
        }
        Frame frame = brief;
        if (frame == null) {
            frame = brief = Frame.of(event.withoutToolCall());
        }
        return frame;
    }

    /** One frame's bytes: the chunk, and the bare frame as a slice of it. */
    private record Frame(ByteBuf chunk, Buffer frame) {

        static Frame of(RunEvent shown) {
            byte[] sse = ("id: " + shown.seq() + "\nevent: " + shown.type().name() + "\ndata: " + Json.write(shown)
                    + "\n\n").getBytes(StandardCharsets.UTF_8);
            byte[] size = (Integer.toHexString(sse.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            // the JDK's direct buffer is freed by the collector; Netty's own would need a release nobody can time
            ByteBuffer bytes = ByteBuffer.allocateDirect(size.length + sse.length + CRLF.length);
            bytes.put(size).put(sse).put(CRLF).flip();
            ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes));
            return new Frame(chunk, Buffer.buffer(chunk.slice(size.length, sse.length)));
        }
    }
}

package dev.runwire.api.feed;

import io.vertx.core.buffer.Buffer;

import dev.runwire.model.event.RunEvent;
import dev.runwire.model.json.Json;

/**
 * An event on its way to stream readers, with its two SSE frames (with and without tool calls) encoded at most once,
 * however many readers it reaches.
 */
public final class StreamedEvent {

    private final RunEvent event;
    private volatile Buffer full;
    private volatile Buffer brief;

    public StreamedEvent(RunEvent event) {
        this.event = event;
    }

    public RunEvent event() {
        return event;
    }

    /** The SSE frame, with or without the events' tool calls, encoded once per kind. */
    public Buffer frame(boolean toolCalls) {
        if (toolCalls) {
            Buffer frame = full;
            if (frame == null) {
                frame = full = encode(event);
            }
            return frame;
        }
        Buffer frame = brief;
        if (frame == null) {
            frame = brief = encode(event.withoutToolCall());
        }
        return frame;
    }

    private static Buffer encode(RunEvent shown) {
        return Buffer.buffer(
                "id: " + shown.seq() + "\nevent: " + shown.type().name() + "\ndata: " + Json.write(shown) + "\n\n");
    }
}

package dev.runwire.api.run;

import dev.runwire.model.event.RunEvent;
import dev.runwire.model.json.Json;

/**
 * An event on its way to stream readers, with its two JSON forms (with and without tool calls) written at most once,
 * however many readers it reaches.
 */
final class StreamedEvent {

    final RunEvent event;
    private volatile String full;
    private volatile String brief;

    StreamedEvent(RunEvent event) {
        this.event = event;
    }

    String json(boolean toolCalls) {
        if (toolCalls) {
            String json = full;
            if (json == null) {
                json = full = Json.write(event);
            }
            return json;
        }
        String json = brief;
        if (json == null) {
            json = brief = Json.write(event.withoutToolCall());
        }
        return json;
    }
}

package dev.runwire.executor.run;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.runwire.model.event.RunEvent;
import dev.runwire.model.json.Json;

/**
 * An event with its JSON, written once: the same text is stored with the run's state, its length is checked against the
 * largest event allowed, and its bytes are the Kafka record's value.
 */
record SerializedEvent(RunEvent event, byte[] json) {

    static SerializedEvent of(RunEvent event) {
        try {
            return new SerializedEvent(event, Json.mapper().writeValueAsBytes(event));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("an event of the run cannot be written as JSON", e);
        }
    }

    static List<SerializedEvent> all(List<RunEvent> events) {
        return events.stream().map(SerializedEvent::of).toList();
    }

    /** The JSON as text, for PostgreSQL. */
    String text() {
        return new String(json, StandardCharsets.UTF_8);
    }
}

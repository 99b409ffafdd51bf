package dev.runwire.model.json;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.kafka.common.serialization.Serializer;

/** The Kafka serializer of the message records, as JSON; consumers read bytes and parse them themselves. */
public final class JsonSerde {

    private JsonSerde() {
    }

    /** Serializes any message record. */
    public static class MessageSerializer implements Serializer<Object> {
        @Override
        public byte[] serialize(String topic, Object data) {
            if (data == null) {
                return null;
            }
            try {
                return Json.mapper().writeValueAsBytes(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

package dev.runwire.model.json;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

import dev.runwire.model.command.RunCommand;
import dev.runwire.model.event.RunEvent;

/** Kafka (de)serializers for the message records, as JSON. */
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

    abstract static class RecordDeserializer<T> implements Deserializer<T> {
        private final Class<T> type;

        RecordDeserializer(Class<T> type) {
            this.type = type;
        }

        @Override
        public T deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            try {
                return Json.mapper().readValue(data, type);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Reads {@link RunCommand}s. */
    public static class RunCommandDeserializer extends RecordDeserializer<RunCommand> {
        public RunCommandDeserializer() {
            super(RunCommand.class);
        }
    }

    /** Reads {@link RunEvent}s. */
    public static class RunEventDeserializer extends RecordDeserializer<RunEvent> {
        public RunEventDeserializer() {
            super(RunEvent.class);
        }
    }
}

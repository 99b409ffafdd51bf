package dev.runwire.api.outbox;

import java.util.UUID;

import dev.runwire.model.command.RunCommand;
import dev.runwire.model.json.Json;

/**
 * A command as it travels: its run (the record's key), its type (the {@code rw-type} header) and its JSON, written
 * once. The same text is the outbox row's payload and the Kafka record's value.
 */
public record OutboxCommand(UUID runId, String type, String json) {

    public static OutboxCommand of(RunCommand command, String type) {
        return new OutboxCommand(command.runId(), type, Json.write(command));
    }
}

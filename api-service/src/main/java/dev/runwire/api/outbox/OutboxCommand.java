package dev.runwire.api.outbox;

import java.util.UUID;

import dev.runwire.model.command.RunCommand;
import dev.runwire.model.json.Json;
import dev.runwire.model.trace.TraceParents;

/**
 * A command as it travels: its run (the record's key), its type (the {@code rw-type} header) and its JSON, written
 * once. The same text is the outbox row's payload and the Kafka record's value. {@code traceParent} is the trace
 * context of the request that caused it (null: none), kept with the row so the record carries it however late it is
 * published (docs/adr/0041).
 */
public record OutboxCommand(UUID runId, String type, String json, String traceParent) {

    /** The command, in the trace of the current request or job. */
    public static OutboxCommand of(RunCommand command, String type) {
        return new OutboxCommand(command.runId(), type, Json.write(command), TraceParents.current());
    }
}

package dev.runwire.model;

/**
 * Kafka topic names shared by the services. Every record on them is keyed by run id, so all messages of one run land on
 * one partition, in order.
 */
public final class Topics {

    /** Commands for the executor: a run was accepted. Key: run id. */
    public static final String RUN_COMMANDS = "runwire.run-commands.v1";

    /** Events the executor publishes about runs, each with a per-run sequence. Key: run id. */
    public static final String RUN_EVENTS = "runwire.run-events.v1";

    /**
     * Command records the executor could not read (not JSON, an unknown type, no run id), with {@link DeadLetter}
     * headers saying why and where they came from. Key: the original key.
     */
    public static final String RUN_COMMANDS_DLQ = "runwire.run-commands.dlq.v1";

    /** Event records the read model could not read or store, with {@link DeadLetter} headers. Key: the original key. */
    public static final String RUN_EVENTS_DLQ = "runwire.run-events.dlq.v1";

    /** Record header naming the versioned message type, e.g. {@code run.requested.v1}. */
    public static final String TYPE_HEADER = "rw-type";

    /**
     * Record header on run events naming the event's {@code RunEventType}, so a reader that needs only some types (a
     * caller waiting for the end) skips the others without parsing them. A record without it is parsed.
     */
    public static final String EVENT_HEADER = "rw-event";

    private Topics() {
    }
}

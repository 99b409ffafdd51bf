package dev.runwire.model.command;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A command for a run's executor. The {@code type} property carries the versioned type name, so new commands (abort,
 * approval decided) and new versions can join without breaking readers.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({ @JsonSubTypes.Type(value = RunRequested.class, name = RunRequested.TYPE),
        @JsonSubTypes.Type(value = RunAbortRequested.class, name = RunAbortRequested.TYPE),
        @JsonSubTypes.Type(value = ApprovalDecided.class, name = ApprovalDecided.TYPE),
        @JsonSubTypes.Type(value = ConnectionProvided.class, name = ConnectionProvided.TYPE),
        @JsonSubTypes.Type(value = AuthRequiredExpired.class, name = AuthRequiredExpired.TYPE),
        @JsonSubTypes.Type(value = StepResultReported.class, name = StepResultReported.TYPE),
        @JsonSubTypes.Type(value = OutcomeResolved.class, name = OutcomeResolved.TYPE) })
public sealed interface RunCommand permits RunRequested, RunAbortRequested, ApprovalDecided, ConnectionProvided,
        AuthRequiredExpired, StepResultReported, OutcomeResolved {

    /** The run this command is about; also the record key. */
    UUID runId();

    /** The owner (tenant) of the run. */
    UUID ownerId();
}

package dev.runwire.api.run.accept;

import java.util.UUID;

import dev.runwire.model.event.RunEvent;

/** How an accepted run stands for its caller: finished (with its terminal event) or still going (null). */
public record Accepted(UUID runId, RunEvent terminal) {
}

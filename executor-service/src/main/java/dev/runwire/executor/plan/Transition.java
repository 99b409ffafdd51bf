package dev.runwire.executor.plan;

import java.util.List;

import dev.runwire.model.event.RunEvent;
import dev.runwire.model.run.RunStatus;

/**
 * What one input did to a run: the status it is in now, the events to store with its state (in order, numbered), the
 * calls to start once they are stored, and the steps whose calls in flight are to be cancelled.
 *
 * @param status
 *            the run's status after the input
 * @param events
 *            the events, with their sequence numbers
 * @param launches
 *            calls to start after the write (some after a back-off)
 * @param cancels
 *            step ids whose calls in flight are cancelled (at once: the state already says why)
 * @param finished
 *            whether the run reached an end with this input
 */
public record Transition(RunStatus status, List<RunEvent> events, List<Launch> launches, List<String> cancels,
        boolean finished) {

    public Transition {
        events = List.copyOf(events);
        launches = List.copyOf(launches);
        cancels = List.copyOf(cancels);
    }

    /** Whether nothing happened. */
    public boolean isEmpty() {
        return events.isEmpty() && launches.isEmpty() && cancels.isEmpty();
    }
}

package dev.runwire.api.run;

import java.util.List;
import java.util.Objects;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

import dev.runwire.api.callback.CallbackBodies;
import dev.runwire.api.callback.CallbackDispatcher;
import dev.runwire.api.connection.RefusedCredentials;
import dev.runwire.model.event.RunEvent;

/**
 * Keeps the read model: each poll's events are written in one transaction by the replica that owns the partition (one
 * shared consumer group); offsets are committed after the write. The callbacks the events cause are enqueued in the
 * same transaction.
 */
@ApplicationScoped
public class EventStoreConsumer {

    private final RunStore store;
    private final MeterRegistry registry;
    private final CallbackDispatcher callbacks;
    private final RefusedCredentials refusals;

    EventStoreConsumer(RunStore store, MeterRegistry registry, CallbackDispatcher callbacks,
            RefusedCredentials refusals) {
        this.store = store;
        this.registry = registry;
        this.callbacks = callbacks;
        this.refusals = refusals;
    }

    @Incoming("run-events-store")
    public Uni<Void> store(List<RunEvent> events) {
        List<RunEvent> readable = events.stream().filter(Objects::nonNull).toList();
        return store.storeEvents(readable, CallbackBodies::render).invoke(enqueued -> {
            readable.stream().filter(e -> e.type().isTerminal())
                    .forEach(e -> registry.counter("runwire.runs.finished", "status", e.status().name()).increment());
            if (enqueued) {
                // committed: this replica sends them at once (any replica would, at its next poll)
                callbacks.wake();
            }
        })
                // credentials an integration refused: renewed (or the account expired) before the offsets are committed
                .chain(() -> refusals.onStored(readable));
    }
}

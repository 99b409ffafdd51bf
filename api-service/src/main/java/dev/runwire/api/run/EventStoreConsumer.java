package dev.runwire.api.run;

import java.util.List;
import java.util.Objects;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.mutiny.Uni;

import dev.runwire.model.event.RunEvent;

/**
 * Keeps the read model: each poll's events are written in one transaction by the replica that owns the partition (one
 * shared consumer group); offsets are committed after the write.
 */
@ApplicationScoped
public class EventStoreConsumer {

    private final RunStore store;

    EventStoreConsumer(RunStore store) {
        this.store = store;
    }

    @Incoming("run-events-store")
    public Uni<Void> store(List<RunEvent> events) {
        return store.storeEvents(events.stream().filter(Objects::nonNull).toList());
    }
}

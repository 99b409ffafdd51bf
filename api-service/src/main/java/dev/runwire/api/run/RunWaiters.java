package dev.runwire.api.run;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.runwire.model.event.RunEvent;

/**
 * Callers of this replica waiting for their run to finish. Every replica reads every run event (its own consumer
 * group), so a waiting request completes from the broadcast whichever replica accepted it and whichever executor ran
 * it; nothing polls the database.
 */
@ApplicationScoped
public class RunWaiters {

    private final Map<UUID, CompletableFuture<RunEvent>> waiting = new ConcurrentHashMap<>();

    /** Registers interest before the command is published, so the end cannot be missed. */
    CompletableFuture<RunEvent> register(UUID runId) {
        return waiting.computeIfAbsent(runId, id -> new CompletableFuture<>());
    }

    void forget(UUID runId) {
        waiting.remove(runId);
    }

    int size() {
        return waiting.size();
    }

    @Incoming("run-events-broadcast")
    public void onEvent(RunEvent event) {
        if (event == null || !event.type().isTerminal()) {
            return;
        }
        CompletableFuture<RunEvent> waiter = waiting.remove(event.runId());
        if (waiter != null) {
            waiter.complete(event);
        }
    }
}

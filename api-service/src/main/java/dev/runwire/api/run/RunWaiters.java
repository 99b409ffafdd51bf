package dev.runwire.api.run;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import dev.runwire.model.event.RunEvent;
import dev.runwire.model.json.Json;

/**
 * Callers of this replica waiting for their run to finish. Every replica reads every run event (its own consumer
 * group), so a waiting request completes from the broadcast whichever replica accepted it and whichever executor ran
 * it; nothing polls the database.
 */
@ApplicationScoped
public class RunWaiters {

    private static final Logger LOG = Logger.getLogger(RunWaiters.class);

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

    /**
     * Every replica sees every event, most of them for runs nobody here waits for: the record key (the run id) decides
     * before the value is even parsed.
     */
    @Incoming("run-events-broadcast")
    public void onEvent(ConsumerRecord<String, byte[]> record) {
        UUID runId = runId(record.key());
        if (runId == null || !waiting.containsKey(runId) || record.value() == null) {
            return;
        }
        RunEvent event;
        try {
            event = Json.mapper().readValue(record.value(), RunEvent.class);
        } catch (IOException e) {
            LOG.warnf("unreadable run event for run %s skipped", runId);
            return;
        }
        if (event.type().isTerminal()) {
            CompletableFuture<RunEvent> waiter = waiting.remove(runId);
            if (waiter != null) {
                waiter.complete(event);
            }
        }
    }

    private static UUID runId(String key) {
        try {
            return key == null ? null : UUID.fromString(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

package dev.runwire.api.feed;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.runwire.model.Topics;
import dev.runwire.model.event.EventRecords;
import dev.runwire.model.event.RunEvent;

/**
 * Run events as they happen, for this replica's callers: requests waiting for their run to finish and live streams.
 * Every replica reads every run event (its own consumer group), so a caller is served whichever replica it reached and
 * whichever executor ran the run; nothing polls the database.
 */
@ApplicationScoped
public class RunFeed {

    private static final Logger LOG = Logger.getLogger(RunFeed.class);

    private final Map<UUID, CompletableFuture<RunEvent>> waiting = new ConcurrentHashMap<>();
    private final Map<UUID, Set<Consumer<StreamedEvent>>> listeners = new ConcurrentHashMap<>();
    private final Timer feedDelay;

    RunFeed(MeterRegistry registry) {
        // from the event's creation in the executor to its arrival here: how far behind live readers are
        this.feedDelay = Timer.builder("runwire.feed.delay").publishPercentiles(0.5, 0.99).register(registry);
    }

    /**
     * Hands every event of the run to the listener until it is removed, on the thread that reads the broadcast: the
     * listener must only hand it on (streams queue it for their event loop, one listener per loop and run, not one per
     * reader), or every other run's events wait.
     */
    public void listen(UUID runId, Consumer<StreamedEvent> listener) {
        // added inside the map's atomic step: an unlisten of the run's last listener may drop the set meanwhile
        listeners.compute(runId, (id, set) -> {
            Set<Consumer<StreamedEvent>> listening = set != null ? set : ConcurrentHashMap.newKeySet();
            listening.add(listener);
            return listening;
        });
    }

    public void unlisten(UUID runId, Consumer<StreamedEvent> listener) {
        listeners.computeIfPresent(runId, (id, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    int listening() {
        return listeners.values().stream().mapToInt(Set::size).sum();
    }

    /** Registers interest before the command is published, so the end cannot be missed. */
    public CompletableFuture<RunEvent> register(UUID runId) {
        return waiting.computeIfAbsent(runId, id -> new CompletableFuture<>());
    }

    public void forget(UUID runId) {
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
        if (runId == null || record.value() == null || !waiting.containsKey(runId) && !listeners.containsKey(runId)) {
            return;
        }
        if (!listeners.containsKey(runId) && !mayEndRun(record)) {
            // only a caller waiting for the end: the event's type, in its header, says this is not it
            return;
        }
        List<RunEvent> events = EventRecords.read(record.value());
        if (events == null) {
            LOG.warnf("unreadable run event record for run %s skipped", runId);
            return;
        }
        for (RunEvent event : events) {
            dispatch(runId, event);
        }
    }

    private void dispatch(UUID runId, RunEvent event) {
        Set<Consumer<StreamedEvent>> interested = listeners.get(runId);
        if (interested != null) {
            feedDelay.record(Duration.between(event.at(), Instant.now()));
            StreamedEvent streamed = new StreamedEvent(event);
            interested.forEach(listener -> {
                try {
                    listener.accept(streamed);
                } catch (RuntimeException e) {
                    // one stream's failure is its own: the others, and the broadcast, go on
                    LOG.warnf("a stream of run %s could not take event %d: %s", runId, event.seq(),
                            e.getClass().getSimpleName());
                }
            });
        }
        if (event.type().isTerminal()) {
            CompletableFuture<RunEvent> waiter = waiting.remove(runId);
            if (waiter != null) {
                waiter.complete(event);
            }
        }
    }

    /** False only for a record whose {@code rw-event} header names types none of which ends a run. */
    private static boolean mayEndRun(ConsumerRecord<String, byte[]> record) {
        Header header = record.headers().lastHeader(Topics.EVENT_HEADER);
        return EventRecords.mayEndRun(header == null ? null : header.value());
    }

    private static UUID runId(String key) {
        try {
            return key == null ? null : UUID.fromString(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

package dev.runwire.api.stream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

import dev.runwire.api.feed.StreamedEvent;
import dev.runwire.api.run.RunStore;
import dev.runwire.model.event.RunEvent;

/**
 * Reads of a run's stored events for its streams, shared: at most one query per run is in flight on this replica, and
 * every reader that asks while it runs joins the next one, which starts when it ends. A reader is answered by a query
 * that started after it asked, so nothing stored before its request is missing from its answer; a reconnect storm or
 * thousands of readers waiting for the read model cost one query per run at a time, not one per reader. The readers of
 * one query share its events, each event's frames encoded once for all of them.
 */
@ApplicationScoped
class StoredEventReads {

    private final BiFunction<UUID, Long, Uni<List<RunEvent>>> query;
    private final Map<UUID, Flight> flights = new HashMap<>();

    @Inject
    StoredEventReads(RunStore store) {
        this(store::eventsAfter);
    }

    /**
     * @param query
     *            a run's stored events after a sequence number, in order
     */
    StoredEventReads(BiFunction<UUID, Long, Uni<List<RunEvent>>> query) {
        this.query = query;
    }

    /**
     * The run's stored events after {@code after}, handed to {@code events} (or the failure to {@code failed}) on the
     * reader's own context.
     */
    void after(UUID runId, long after, Context reader, Consumer<List<StreamedEvent>> events,
            Consumer<Throwable> failed) {
        Request request = new Request(after, reader, events, failed);
        Flight start;
        synchronized (flights) {
            Flight flight = flights.computeIfAbsent(runId, Flight::new);
            flight.next.add(request);
            if (flight.running) {
                return;
            }
            flight.running = true;
            start = flight;
        }
        run(start);
    }

    private void run(Flight flight) {
        List<Request> batch;
        synchronized (flights) {
            batch = flight.next;
            flight.next = new ArrayList<>();
        }
        long from = Long.MAX_VALUE;
        for (Request request : batch) {
            from = Math.min(from, request.after);
        }
        query.apply(flight.runId, from).subscribe().with(stored -> {
            List<StreamedEvent> events = stored.stream().map(StreamedEvent::new).toList();
            for (Request request : batch) {
                List<StreamedEvent> own = after(events, request.after);
                request.reader.runOnContext(ignored -> request.events.accept(own));
            }
            next(flight);
        }, failure -> {
            for (Request request : batch) {
                request.reader.runOnContext(ignored -> request.failed.accept(failure));
            }
            next(flight);
        });
    }

    /** The next query of the run if readers asked meanwhile; otherwise the run has none in flight any more. */
    private void next(Flight flight) {
        synchronized (flights) {
            if (flight.next.isEmpty()) {
                flight.running = false;
                flights.remove(flight.runId);
                return;
            }
        }
        run(flight);
    }

    /** The tail of events ordered by sequence, after {@code seq}. */
    private static List<StreamedEvent> after(List<StreamedEvent> events, long seq) {
        int first = 0;
        while (first < events.size() && events.get(first).event().seq() <= seq) {
            first++;
        }
        return first == 0 ? events : events.subList(first, events.size());
    }

    private record Request(long after, Context reader, Consumer<List<StreamedEvent>> events,
            Consumer<Throwable> failed) {
    }

    /** One run's query in flight and the readers waiting for the next. Guarded by {@code flights}. */
    private static final class Flight {
        final UUID runId;
        List<Request> next = new ArrayList<>();
        boolean running;

        Flight(UUID runId) {
            this.runId = runId;
        }
    }
}

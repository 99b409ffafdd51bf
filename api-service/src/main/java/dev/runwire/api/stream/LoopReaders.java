package dev.runwire.api.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.runwire.api.feed.RunFeed;
import dev.runwire.api.feed.StreamedEvent;

/**
 * The streams served by one event loop. The feed hands it each event once per loop, not once per reader: the event is
 * queued and one task on the loop writes every queued event to all of the loop's readers of its run, each reader's
 * frames of that turn in one write. So an event costs the broadcast a queue insertion per loop, and the loop one task
 * per turn however many readers and events it carries. Everything but {@link RunListener#accept} runs on the loop and
 * takes no lock.
 */
final class LoopReaders {

    /** Events written in one task before the loop gets a turn for its other work (reads, new connections). */
    private static final int MAX_EVENTS_PER_TURN = 256;
    private static final StreamReader[] NONE = {};

    private final Context context;
    private final RunFeed feed;
    private final Map<UUID, RunListener> runs = new HashMap<>();
    private final Queue<Arrival> arrived = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final List<StreamReader> written = new ArrayList<>();

    /** Created on its loop: the heartbeat timer runs there. */
    LoopReaders(Context context, RunFeed feed, Vertx vertx, Duration heartbeat) {
        this.context = context;
        this.feed = feed;
        vertx.setPeriodic(heartbeat.toMillis(), id -> beat());
    }

    /** The reader gets every event of its run from now on; the first reader of a run on this loop subscribes it. */
    void add(StreamReader reader) {
        RunListener run = runs.get(reader.runId());
        if (run == null) {
            run = new RunListener();
            runs.put(reader.runId(), run);
            feed.listen(reader.runId(), run);
        }
        StreamReader[] readers = Arrays.copyOf(run.readers, run.readers.length + 1);
        readers[readers.length - 1] = reader;
        run.readers = readers;
    }

    /** Idempotent; the last reader of a run on this loop unsubscribes it. */
    void remove(StreamReader reader) {
        RunListener run = runs.get(reader.runId());
        if (run == null) {
            return;
        }
        StreamReader[] readers = run.readers;
        int at = -1;
        for (int i = 0; i < readers.length && at < 0; i++) {
            if (readers[i] == reader) {
                at = i;
            }
        }
        if (at < 0) {
            return;
        }
        if (readers.length == 1) {
            run.readers = NONE;
            runs.remove(reader.runId());
            feed.unlisten(reader.runId(), run);
            return;
        }
        // a new array: a turn that is writing to the old one goes on undisturbed
        StreamReader[] rest = new StreamReader[readers.length - 1];
        System.arraycopy(readers, 0, rest, 0, at);
        System.arraycopy(readers, at + 1, rest, at, readers.length - at - 1);
        run.readers = rest;
    }

    /** Called by the broadcast, on its own thread. */
    private void offer(RunListener run, StreamedEvent event) {
        arrived.add(new Arrival(run, event));
        if (drainScheduled.compareAndSet(false, true)) {
            context.runOnContext(ignored -> drain());
        }
    }

    private void drain() {
        drainScheduled.set(false);
        Arrival arrival;
        int taken = 0;
        while (taken < MAX_EVENTS_PER_TURN && (arrival = arrived.poll()) != null) {
            taken++;
            for (StreamReader reader : arrival.run.readers) {
                try {
                    if (reader.receive(arrival.event)) {
                        written.add(reader);
                    }
                } catch (RuntimeException e) {
                    reader.fail(e);
                }
            }
        }
        for (StreamReader reader : written) {
            try {
                reader.flush();
            } catch (RuntimeException e) {
                reader.fail(e);
            }
        }
        written.clear();
        if (!arrived.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            context.runOnContext(ignored -> drain());
        }
    }

    private void beat() {
        List<RunListener> listening = new ArrayList<>(runs.values());
        for (RunListener run : listening) {
            for (StreamReader reader : run.readers) {
                try {
                    reader.beat();
                } catch (RuntimeException e) {
                    reader.fail(e);
                }
            }
        }
    }

    /** This loop's subscription to one run's events: its readers here, replaced (never changed) on every change. */
    private final class RunListener implements Consumer<StreamedEvent> {
        private StreamReader[] readers = NONE;

        @Override
        public void accept(StreamedEvent event) {
            offer(this, event);
        }
    }

    private record Arrival(RunListener run, StreamedEvent event) {
    }
}

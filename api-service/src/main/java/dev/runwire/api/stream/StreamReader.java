package dev.runwire.api.stream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import org.jboss.logging.Logger;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.VoidChannelPromise;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import dev.runwire.api.feed.StreamedEvent;
import dev.runwire.model.event.RunEvent;

/**
 * One reader's stream of a run. It lives on its connection's event loop: live events come from its {@link LoopReaders},
 * stored ones from {@link StoredEventReads}, heartbeats from the loop's timer, all on that loop, so it takes no lock.
 * An event is written only if its sequence is the next one: older ones are duplicates, a newer one means a gap (the
 * broadcast ahead of the read model) that is filled from the store first.
 */
final class StreamReader {

    private static final Logger LOG = Logger.getLogger(StreamReader.class);
    private static final int MAX_EARLY_EVENTS = 1_000;
    private static final long CATCH_UP_RETRY_MILLIS = 50;
    /** Shared by every reader: each write takes its own view of it. */
    private static final Buffer HEARTBEAT = Buffer.buffer(": heartbeat\n\n");
    private static final Comparator<StreamedEvent> BY_SEQ = Comparator.comparingLong(e -> e.event().seq());

    private final HttpServerResponse response;
    /**
     * The connection's pipeline just above the HTTP encoder ({@link ChunkWriter}): frames go there as ready-made
     * chunks, each a view of bytes every reader shares; null: they go through the response.
     */
    private final ChannelHandlerContext direct;
    /** The writes' promise: none to complete, and a write that fails on a closing connection is no news. */
    private final VoidChannelPromise quiet;
    private final Context loop;
    private final UUID runId;
    private final boolean toolCalls;
    private final LoopReaders readers;
    private final StoredEventReads stored;
    private final Vertx vertx;
    /** Live events held while the store is read, or until the read model has the ones before them. */
    private List<StreamedEvent> early;
    /** This turn's frames, written together at its end (through the response). */
    private Buffer out;
    private boolean outShared;
    /** Frames written to {@link #direct} this turn, flushed together at its end. */
    private boolean unflushed;
    private long lastSent;
    private boolean catchingUp = true;
    private boolean ending;
    private boolean closed;
    private boolean heardSinceBeat;

    StreamReader(HttpServerResponse response, ChannelHandlerContext direct, Context loop, UUID runId, long after,
            boolean toolCalls, LoopReaders readers, StoredEventReads stored, Vertx vertx) {
        this.response = response;
        this.direct = direct;
        this.quiet = direct == null ? null : new VoidChannelPromise(direct.channel(), false);
        this.loop = loop;
        this.runId = runId;
        this.lastSent = after;
        this.toolCalls = toolCalls;
        this.readers = readers;
        this.stored = stored;
        this.vertx = vertx;
    }

    UUID runId() {
        return runId;
    }

    /** Listens first, then reads the store: an event published in between is in one or the other (or both). */
    void start(int maxBufferedBytes) {
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
        response.setWriteQueueMaxSize(maxBufferedBytes);
        response.closeHandler(ignored -> close());
        if (response.closed()) {
            closed = true;
            return;
        }
        response.write(": stream of run " + runId + "\n\n");
        readers.add(this);
        catchUp();
    }

    /**
     * A live event, during its loop's turn.
     *
     * @return whether this reader now has frames to write at the end of the turn and had none before
     */
    boolean receive(StreamedEvent event) {
        if (closed) {
            return false;
        }
        heardSinceBeat = true;
        if (catchingUp) {
            hold(event);
            return false;
        }
        if (event.event().seq() > lastSent + 1) {
            // the broadcast ran ahead of what was sent: fill the gap from the store first
            hold(event);
            catchUp();
            return false;
        }
        boolean hadNothing = !pending();
        send(event);
        return hadNothing && pending();
    }

    private boolean pending() {
        return out != null || unflushed;
    }

    /** Writes this turn's frames at once; a reader whose write queue is full is disconnected (it can resume). */
    void flush() {
        if (direct != null) {
            if (!unflushed || closed) {
                return;
            }
            unflushed = false;
            direct.flush();
        } else {
            Buffer frames = out;
            out = null;
            if (frames == null || closed) {
                return;
            }
            if (response.writeQueueFull()) {
                disconnect("the reader is too slow");
                return;
            }
            response.write(frames, null);
        }
        if (ending) {
            closed = true;
            readers.remove(this);
            response.end();
        }
    }

    /**
     * A heartbeat; and a stream that heard nothing since the last one looks in the store: the broadcast may have missed
     * events (its consumer reassigned or restarted), and a stream must end after its run's end whatever the broadcast
     * delivered.
     */
    void beat() {
        if (closed) {
            return;
        }
        if (!response.writeQueueFull()) {
            // through the response even where frames are not: it keeps the connection's idle timer informed
            response.write(HEARTBEAT, null);
        }
        if (!heardSinceBeat && !catchingUp) {
            catchUp();
        }
        heardSinceBeat = false;
    }

    void fail(RuntimeException e) {
        LOG.warnf("a stream of run %s failed after event %d: %s", runId, lastSent, e.getClass().getSimpleName());
        if (!closed) {
            disconnect("it failed");
        }
    }

    private void hold(StreamedEvent event) {
        if (early == null) {
            early = new ArrayList<>();
        }
        if (early.size() >= MAX_EARLY_EVENTS) {
            disconnect("too many events while catching up");
            return;
        }
        early.add(event);
    }

    private void catchUp() {
        if (closed) {
            return;
        }
        catchingUp = true;
        stored.after(runId, lastSent, loop, this::caughtUp, failure -> {
            LOG.warnf("run %s: stored events could not be read (%s)", runId, failure.getClass().getSimpleName());
            if (!closed) {
                disconnect("the store could not be read");
            }
        });
    }

    private void caughtUp(List<StreamedEvent> events) {
        if (closed) {
            return;
        }
        events.forEach(this::send);
        if (early != null) {
            List<StreamedEvent> waiting = early;
            early = null;
            waiting.sort(BY_SEQ);
            for (int i = 0; i < waiting.size(); i++) {
                if (waiting.get(i).event().seq() > lastSent + 1) {
                    // not in the store yet: wait for the read model, keep what arrived
                    early = new ArrayList<>(waiting.subList(i, waiting.size()));
                    vertx.setTimer(CATCH_UP_RETRY_MILLIS, id -> catchUp());
                    flush();
                    return;
                }
                send(waiting.get(i));
            }
        }
        catchingUp = false;
        flush();
    }

    /** Adds the event's frame to this turn's if it is the next one; the terminal event ends the stream. */
    private void send(StreamedEvent streamed) {
        RunEvent event = streamed.event();
        if (closed || ending || event.seq() != lastSent + 1) {
            return;
        }
        if (direct != null) {
            // the bound: the connection's queue (Netty's, counted in the frames' bytes) past its high-water mark
            if (!direct.channel().isWritable()) {
                disconnect("the reader is too slow");
                return;
            }
            direct.write(streamed.chunk(toolCalls), quiet);
            unflushed = true;
        } else {
            add(streamed.frame(toolCalls));
        }
        lastSent = event.seq();
        if (event.type().isTerminal()) {
            ending = true;
        }
    }

    private void add(Buffer frame) {
        if (out == null) {
            // the frame is shared by every reader of the event: copied only if another is added to it
            out = frame;
            outShared = true;
        } else {
            if (outShared) {
                out = Buffer.buffer(out.length() + frame.length()).appendBuffer(out);
                outShared = false;
            }
            out.appendBuffer(frame);
        }
    }

    private void disconnect(String why) {
        LOG.debugf("run %s: stream closed after event %d: %s", runId, lastSent, why);
        closed = true;
        out = null;
        unflushed = false;
        readers.remove(this);
        if (direct != null) {
            // at once, dropping what is queued: the response's own reset would first wait for the queue to drain, and
            // a reader that reads nothing would hold it until the connection's idle timeout
            direct.channel().close();
        } else {
            response.reset();
        }
    }

    private void close() {
        closed = true;
        out = null;
        unflushed = false;
        readers.remove(this);
    }
}

package dev.runwire.api.mcp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Vertx;

import dev.runwire.model.json.Json;

/**
 * One SSE answer of a {@code tools/call} (its POST, or a GET resuming it): the call's messages as
 * {@code event: message} frames whose ids are {@code <stream id>_<run event sequence>} where a message stands for a run
 * event (ADR 0034, "Resuming a stream"), a heartbeat comment when the stream has been quiet for the heartbeat interval,
 * and the call's response last. The client going away ends the stream, not the call's run: the call is told
 * ({@link #onGone}) and stops following, the acceptance of its run is never cut short.
 */
final class McpSse implements McpCallFollower.Outlet {

    /** The most an event id can be: a UUID, {@code _} and a sequence. */
    static final int MAX_EVENT_ID = 36 + 1 + 19;

    private final MultiEmitter<? super byte[]> emitter;
    private final UUID streamId;
    private final List<Runnable> goneActions = new ArrayList<>();
    /** When something was last sent (0: nothing yet, the status is not committed: a failure still gets its own). */
    private volatile long lastSent;
    private volatile long answeredAt;
    private boolean gone;

    private McpSse(MultiEmitter<? super byte[]> emitter, UUID streamId) {
        this.emitter = emitter;
        this.streamId = streamId;
    }

    /**
     * The frames of a call answered as a stream: {@code call} gets this outlet and answers the JSON-RPC response (null:
     * none), sent last with the id of the run event that decided it.
     */
    static Multi<byte[]> frames(Vertx vertx, Duration heartbeat, UUID streamId,
            Function<McpSse, Uni<ObjectNode>> call) {
        return Multi.createFrom().emitter(emitter -> {
            McpSse sse = new McpSse(emitter, streamId);
            long timer = vertx.setPeriodic(heartbeat.toMillis(), id -> sse.beat(heartbeat));
            emitter.onTermination(() -> {
                vertx.cancelTimer(timer);
                sse.leave();
            });
            // not cancelled when the client goes: a run being accepted is accepted whole (a disconnect is no cancel)
            call.apply(sse).subscribe().with(answer -> {
                if (answer != null) {
                    sse.emit(frame(answer, sse.eventId(sse.answeredAt)));
                }
                emitter.complete();
            }, emitter::fail);
        });
    }

    /** An event id of a stream, {@code <stream>_<seq>}. */
    static String eventId(UUID streamId, long seq) {
        return streamId + "_" + seq;
    }

    /** A resumable position: the stream and the run event after which to go on. */
    record Position(UUID streamId, long seq) {
    }

    /**
     * The position a {@code Last-Event-ID} names, or null when it is none of ours (too long, another shape, a control
     * character, a negative or oversized sequence).
     */
    static Position position(String lastEventId) {
        if (lastEventId == null || lastEventId.length() > MAX_EVENT_ID || lastEventId.length() < 38
                || lastEventId.charAt(36) != '_') {
            return null;
        }
        UUID stream = McpProtocol.sessionId(lastEventId.substring(0, 36));
        String seq = lastEventId.substring(37);
        if (stream == null || !seq.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        try {
            return new Position(stream, Long.parseLong(seq));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public UUID id() {
        return streamId;
    }

    @Override
    public void send(ObjectNode message, long seq) {
        emit(frame(message, eventId(seq)));
    }

    @Override
    public void answeredAt(long seq) {
        answeredAt = seq;
    }

    @Override
    public void prime(long seq) {
        emit(("id: " + eventId(streamId, seq) + "\ndata: \n\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void onGone(Runnable action) {
        boolean now;
        synchronized (this) {
            now = gone;
            if (!now) {
                goneActions.add(action);
            }
        }
        if (now) {
            action.run();
        }
    }

    private void leave() {
        List<Runnable> actions;
        synchronized (this) {
            gone = true;
            actions = List.copyOf(goneActions);
            goneActions.clear();
        }
        actions.forEach(Runnable::run);
    }

    private String eventId(long seq) {
        return seq > 0 ? eventId(streamId, seq) : null;
    }

    /** A comment, when nothing was sent for the interval: proxies see bytes, clients ignore it. */
    private void beat(Duration heartbeat) {
        long last = lastSent;
        if (last != 0 && System.nanoTime() - last >= heartbeat.toNanos() - Duration.ofMillis(50).toNanos()) {
            emit(": heartbeat\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private void emit(byte[] frame) {
        lastSent = System.nanoTime();
        if (!emitter.isCancelled()) {
            emitter.emit(frame);
        }
    }

    /** One server-sent event carrying a JSON-RPC message, with its id when it has one. */
    static byte[] frame(JsonNode message, String id) {
        return ((id == null ? "" : "id: " + id + "\n") + "event: message\ndata: " + Json.write(message) + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}

package dev.runwire.api.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.vertx.web.Route;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import dev.runwire.api.auth.ApiKeys;
import dev.runwire.api.auth.Authenticator;
import dev.runwire.api.auth.Jwts;
import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.RunwireException;
import dev.runwire.api.error.RunwireException.Internal;
import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.error.RunwireException.Unauthenticated;
import dev.runwire.api.error.Surface;
import dev.runwire.api.feed.RunFeed;
import dev.runwire.api.feed.StreamedEvent;
import dev.runwire.api.ratelimit.RateLimiter;
import dev.runwire.api.run.RunResource;
import dev.runwire.api.run.RunStore;
import dev.runwire.model.event.RunEvent;

/**
 * {@code GET /v1/runs/{runId}/sse}: every event of a run, in order, {@code id:} set to its sequence; the stream ends
 * after the terminal event. {@code Last-Event-ID} (header, or {@code lastEventId} query) resumes after that event.
 * Stored events come from the read model, live ones from this replica's feed; a gap between them (the read model a
 * little behind the broadcast) is filled from the store, so a reader sees each event exactly once. A reader too slow
 * for its bounded buffer is disconnected and can resume. A Vert.x route rather than a JAX-RS resource: errors must be
 * decided before the stream's status is sent, and the write queue is the bound. See docs/adr/0012-run-streams.md.
 */
@ApplicationScoped
public class RunStream {

    private static final Logger LOG = Logger.getLogger(RunStream.class);
    private static final int MAX_EARLY_EVENTS = 1_000;
    private static final long CATCH_UP_RETRY_MILLIS = 50;

    private final Authenticator authenticator;
    private final RateLimiter limiter;
    private final RunStore store;
    private final RunFeed feed;
    private final ApiConfig config;
    private final Vertx vertx;

    RunStream(Authenticator authenticator, RateLimiter limiter, RunStore store, RunFeed feed, ApiConfig config,
            Vertx vertx) {
        this.authenticator = authenticator;
        this.limiter = limiter;
        this.store = store;
        this.feed = feed;
        this.config = config;
        this.vertx = vertx;
    }

    @Route(path = "/v1/runs/:runId/sse", methods = Route.HttpMethod.GET, order = 1)
    void stream(RoutingContext context) {
        // the reader's own event loop: its writes happen there, not on the thread that reads the broadcast
        Context loop = Vertx.currentContext();
        String token = ApiKeys.presented(context.request()::getHeader);
        if (token == null) {
            fail(context, new Unauthenticated("a valid API key or token is required"));
            return;
        }
        boolean toolCalls;
        long after;
        UUID runId;
        try {
            toolCalls = dev.runwire.api.error.QueryParams.flag(context.request().getParam("includeToolCalls"),
                    "includeToolCalls");
            after = lastEventId(context);
            runId = RunResource.parseRunId(context.pathParam("runId"));
        } catch (RunwireException e) {
            fail(context, e);
            return;
        }
        // authenticated and rate-counted like every request; opening a stream counts once
        authenticator.principal(token).onFailure(Jwts.InvalidTokenException.class)
                .transform(e -> new Unauthenticated(e.getMessage())).chain(who -> {
                    if (who == null) {
                        throw new Unauthenticated("the API key is not valid");
                    }
                    return limiter.admit(who).chain(decision -> {
                        if (decision != null && !decision.admitted()) {
                            throw RateLimiter.tooManyRequests(decision);
                        }
                        if (decision != null) {
                            RateLimiter.headers(decision).forEach(context.response()::putHeader);
                        }
                        return store.run(who.ownerId(), runId);
                    });
                }).subscribe().with(run -> {
                    if (run == null) {
                        fail(context, new NotFound("no run with id " + runId));
                    } else {
                        new Subscription(context.response(), loop, runId, after, toolCalls).start();
                    }
                }, failure -> fail(context, failure instanceof RunwireException e ? e : internal(failure)));
    }

    private static long lastEventId(RoutingContext context) {
        String value = context.request().getHeader("Last-Event-ID");
        String name = "Last-Event-ID";
        if (value == null) {
            value = context.request().getParam("lastEventId");
            name = "lastEventId";
        }
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            long seq = Long.parseLong(value.trim());
            if (seq >= 0) {
                return seq;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Malformed(name + " is the id (a sequence number) of an event of this run",
                "lastEventId".equals(name) ? ErrorObject.Source.parameter(name) : ErrorObject.Source.header(name));
    }

    private RunwireException internal(Throwable failure) {
        LOG.errorf("run stream could not start: %s", failure.getClass().getName());
        return new Internal("the stream could not be started");
    }

    /** The stream's refusal, as the native surface says it. */
    private static void fail(RoutingContext context, RunwireException e) {
        Surface.NATIVE.write(context.response(), e);
    }

    /** One reader's stream. Events are written under its lock, so live and stored ones never interleave wrongly. */
    private final class Subscription implements Consumer<StreamedEvent> {
        private final HttpServerResponse response;
        private final Context loop;
        private final UUID runId;
        private final boolean toolCalls;
        private final Deque<StreamedEvent> early = new ArrayDeque<>();
        private long lastSent;
        private boolean catchingUp = true;
        private boolean closed;
        private boolean heardSinceBeat;
        private long heartbeat = -1;

        Subscription(HttpServerResponse response, Context loop, UUID runId, long after, boolean toolCalls) {
            this.loop = loop;
            this.response = response;
            this.runId = runId;
            this.lastSent = after;
            this.toolCalls = toolCalls;
        }

        void start() {
            response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "text/event-stream")
                    .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
            response.setWriteQueueMaxSize(config.sse().maxBufferedBytes());
            response.closeHandler(ignored -> close());
            response.write(": stream of run " + runId + "\n\n");
            // listen first, then read the store: an event published in between is in one or the other (or both)
            feed.listen(runId, this);
            heartbeat = vertx.setPeriodic(config.sse().heartbeat().toMillis(), id -> beat());
            catchUp();
        }

        /**
         * Called on the thread that reads the broadcast, once per event for every reader of the run: it only hands the
         * event to the reader's event loop, so thousands of readers are written in parallel, not one after another.
         */
        @Override
        public void accept(StreamedEvent event) {
            loop.runOnContext(ignored -> receive(event));
        }

        private synchronized void receive(StreamedEvent event) {
            if (closed) {
                return;
            }
            heardSinceBeat = true;
            if (catchingUp) {
                if (early.size() >= MAX_EARLY_EVENTS) {
                    disconnect("too many events while catching up");
                    return;
                }
                early.add(event);
                return;
            }
            if (event.event().seq() > lastSent + 1) {
                // the broadcast ran ahead of what was sent: fill the gap from the store first
                early.add(event);
                catchUp();
                return;
            }
            send(event);
        }

        private void catchUp() {
            catchingUp = true;
            store.eventsAfter(runId, lastSent).subscribe().with(this::caughtUp, failure -> {
                LOG.warnf("run %s: stored events could not be read (%s)", runId, failure.getClass().getSimpleName());
                synchronized (this) {
                    disconnect("the store could not be read");
                }
            });
        }

        private synchronized void caughtUp(List<RunEvent> stored) {
            if (closed) {
                return;
            }
            stored.forEach(event -> send(new StreamedEvent(event)));
            List<StreamedEvent> waiting = new ArrayList<>(early);
            waiting.sort((a, b) -> Long.compare(a.event().seq(), b.event().seq()));
            early.clear();
            for (StreamedEvent event : waiting) {
                if (closed) {
                    return;
                }
                if (event.event().seq() > lastSent + 1) {
                    // not in the store yet: wait for the read model, keep what arrived
                    early.addAll(waiting.subList(waiting.indexOf(event), waiting.size()));
                    vertx.setTimer(CATCH_UP_RETRY_MILLIS, id -> catchUp());
                    return;
                }
                send(event);
            }
            catchingUp = false;
        }

        /** Writes the event if it is the next one; the terminal event ends the stream. Under the lock. */
        private void send(StreamedEvent streamed) {
            RunEvent event = streamed.event();
            if (closed || event.seq() != lastSent + 1) {
                return;
            }
            if (response.writeQueueFull()) {
                disconnect("the reader is too slow");
                return;
            }
            response.write(streamed.frame(toolCalls));
            lastSent = event.seq();
            if (event.type().isTerminal()) {
                closed = true;
                stop();
                response.end();
            }
        }

        /**
         * A heartbeat; and a stream that heard nothing since the last one looks in the store: the broadcast may have
         * missed events (its consumer reassigned or restarted), and a stream must end after its run's end whatever the
         * broadcast delivered.
         */
        private synchronized void beat() {
            if (closed) {
                return;
            }
            if (!response.writeQueueFull()) {
                response.write(": heartbeat\n\n");
            }
            if (!heardSinceBeat && !catchingUp) {
                catchUp();
            }
            heardSinceBeat = false;
        }

        private void disconnect(String why) {
            LOG.debugf("run %s: stream closed after event %d: %s", runId, lastSent, why);
            closed = true;
            stop();
            response.reset();
        }

        private synchronized void close() {
            closed = true;
            stop();
        }

        private void stop() {
            feed.unlisten(runId, this);
            if (heartbeat >= 0) {
                vertx.cancelTimer(heartbeat);
            }
        }
    }
}

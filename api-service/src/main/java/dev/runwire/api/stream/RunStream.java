package dev.runwire.api.stream;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.netty.channel.ChannelHandlerContext;
import io.quarkus.vertx.web.Route;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
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
import dev.runwire.api.ratelimit.RateLimiter;
import dev.runwire.api.run.RunResource;
import dev.runwire.api.run.RunStore;

/**
 * {@code GET /v1/runs/{runId}/sse}: every event of a run, in order, {@code id:} set to its sequence; the stream ends
 * after the terminal event. {@code Last-Event-ID} (header, or {@code lastEventId} query) resumes after that event.
 * Stored events come from the read model, live ones from this replica's feed; a gap between them (the read model a
 * little behind the broadcast) is filled from the store, so a reader sees each event exactly once. A reader too slow
 * for its bounded buffer is disconnected and can resume. Readers are grouped by their event loop ({@link LoopReaders}):
 * an event costs one task per loop, not one per reader. A Vert.x route rather than a JAX-RS resource: errors must be
 * decided before the stream's status is sent, and the write queue is the bound. See docs/adr/0012-run-streams.md.
 */
@ApplicationScoped
public class RunStream {

    private static final Logger LOG = Logger.getLogger(RunStream.class);

    private final Authenticator authenticator;
    private final RateLimiter limiter;
    private final RunStore store;
    private final RunFeed feed;
    private final StoredEventReads stored;
    private final ApiConfig config;
    private final Vertx vertx;
    /** The readers of each event loop, by its thread. */
    private final Map<Thread, LoopReaders> loops = new ConcurrentHashMap<>();

    RunStream(Authenticator authenticator, RateLimiter limiter, RunStore store, RunFeed feed, StoredEventReads stored,
            ApiConfig config, Vertx vertx) {
        this.authenticator = authenticator;
        this.limiter = limiter;
        this.store = store;
        this.feed = feed;
        this.stored = stored;
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
                        loop.runOnContext(ignored -> open(context, loop, runId, after, toolCalls));
                    }
                }, failure -> fail(context, failure instanceof RunwireException e ? e : internal(failure)));
    }

    /** On the reader's event loop: its stream joins that loop's readers. */
    private void open(RoutingContext context, Context loop, UUID runId, long after, boolean toolCalls) {
        LoopReaders readers = loops.computeIfAbsent(Thread.currentThread(),
                thread -> new LoopReaders(loop, feed, vertx, config.sse().heartbeat()));
        ChannelHandlerContext direct = config.sse().directChunks() ? DirectChunks.of(context.request()) : null;
        new StreamReader(context.response(), direct, loop, runId, after, toolCalls, readers, stored, vertx)
                .start(config.sse().maxBufferedBytes());
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
}

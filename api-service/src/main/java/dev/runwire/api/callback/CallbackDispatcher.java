package dev.runwire.api.callback;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Context;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.ext.web.codec.BodyCodec;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.model.callback.WebhookSignature;
import dev.runwire.model.egress.EgressPolicy;
import dev.runwire.model.trace.RunLogContext;
import dev.runwire.model.trace.RunTelemetry;
import dev.runwire.model.trace.TraceParents;

/**
 * Sends due callbacks: each replica leases what is due (so one replica sends each attempt), sends up to a bound
 * concurrently (a slow receiver holds one slot, not the others), records every attempt and schedules the next with
 * back-off and jitter. A replica that dies mid-attempt leaves a lease that runs out; another replica then sends the
 * same delivery again, with the same {@code webhook-id}. See docs/adr/0016-callbacks.md.
 */
@ApplicationScoped
public class CallbackDispatcher {

    private static final Logger LOG = Logger.getLogger(CallbackDispatcher.class);
    private static final int RECORD_BATCH = 64;
    private static final long RECORD_WAIT_MILLIS = 5;
    /** Claim only when this many slots are free (or nothing is in flight): fewer, larger claims. */
    private static final int CLAIM_BATCH = 32;

    private record Unwritten(Deliveries.Outcome outcome, java.util.concurrent.CompletableFuture<Void> written) {
    }

    private final Deliveries deliveries;
    private final WebhookSecrets secrets;
    private final EgressPolicy egress;
    private final ApiConfig.Callbacks config;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private final Tracer tracer;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Outcomes not yet written, and their writers' futures; touched on the dispatcher's context only. */
    private final List<Unwritten> unwritten = new java.util.ArrayList<>();
    private long flushTimer = -1;
    private WebClient client;
    private Context context;
    private boolean polling;
    private boolean again;
    private long timer = -1;

    CallbackDispatcher(Deliveries deliveries, WebhookSecrets secrets, EgressPolicy egress, ApiConfig config,
            MeterRegistry registry, Vertx vertx, Tracer tracer) {
        this.tracer = tracer;
        this.deliveries = deliveries;
        this.secrets = secrets;
        this.egress = egress;
        this.config = config.callbacks();
        this.registry = registry;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        client = WebClient.create(vertx,
                new WebClientOptions().setFollowRedirects(false).setKeepAlive(true)
                        .setConnectTimeout((int) config.timeout().toMillis()).setMaxPoolSize(config.maxInFlight())
                        .setUserAgent("Runwire-Webhooks/1")
                        // the POST's span is this class's own: Vert.x's would record the callback URL, whose path
                        // or query may be the receiver's secret
                        .setTracingPolicy(TracingPolicy.IGNORE));
        // a duplicated context: the lines logged on it carry their run in the MDC (on a root context Quarkus's MDC
        // keeps nothing)
        context = Context.newInstance(io.smallrye.common.vertx.VertxContext
                .createNewDuplicatedContext(vertx.getOrCreateContext().getDelegate()));
        context.runOnContext(() -> timer = vertx.setPeriodic(config.poll().toMillis(), id -> poll()));
        registry.gauge("runwire.callbacks.in_flight", inFlight);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Looks for due deliveries now (called after new ones were committed). */
    public void wake() {
        if (context != null) {
            context.runOnContext(this::poll);
        }
    }

    /** Runs on this dispatcher's context only, so the flags need no locking. */
    private void poll() {
        if (polling) {
            again = true;
            return;
        }
        int busy = inFlight.get();
        int free = config.maxInFlight() - busy;
        if (free <= 0 || busy > 0 && free < Math.min(CLAIM_BATCH, config.maxInFlight())) {
            return;
        }
        polling = true;
        again = false;
        long lease = config.timeout().toMillis() * 2 + 5_000;
        deliveries.claim(free, lease).emitOn(context::runOnContext).subscribe().with(claimed -> {
            claimed.forEach(this::send);
            polling = false;
            // a full batch suggests more are due
            if (again || claimed.size() == free) {
                poll();
            }
        }, failure -> {
            polling = false;
            LOG.warnf("looking for due callbacks failed (%s)", failure.getClass().getSimpleName());
        });
    }

    private void send(Deliveries.Claimed delivery) {
        inFlight.incrementAndGet();
        long started = System.nanoTime();
        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC);
        URI url = URI.create(delivery.url());
        Uni.createFrom().completionStage(() -> egress.resolveAsync(url, Infrastructure.getDefaultWorkerPool()))
                .chain(address -> secrets.signing(delivery.ownerId())
                        .chain(signing -> post(delivery, url, address, signing)))
                .map(answer -> answer.outcome(delivery.attempt(), at, started)).onFailure()
                .recoverWithItem(failure -> failed(delivery.attempt(), at, started, failure))
                .chain(outcome -> finish(delivery, outcome)).onTermination().invoke(() -> {
                    inFlight.decrementAndGet();
                    wake();
                }).subscribe().with(ignored -> {
                }, failure -> LOG.warnf("recording a callback attempt failed (%s); the lease will run out",
                        failure.getClass().getSimpleName()));
    }

    /** An attempt, and the delay the receiver asked for (429 and 503 with Retry-After). */
    private record Outcome(Deliveries.Attempt attempt, Duration retryAfter) {
    }

    /** What the receiver answered. */
    private record Answer(int status, String excerpt, String retryAfter) {
        Outcome outcome(int n, OffsetDateTime at, long started) {
            Duration asked = status == 429 || status == 503 ? parseRetryAfter(retryAfter) : null;
            return new Outcome(new Deliveries.Attempt(n, at, status, millisSince(started), null, excerpt), asked);
        }
    }

    /** Retry-After as seconds or as an HTTP date; null when absent or unreadable. */
    static Duration parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            try {
                Instant when = java.time.ZonedDateTime
                        .parse(value.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration delay = Duration.between(Instant.now(), when);
                return delay.isNegative() ? Duration.ZERO : delay;
            } catch (java.time.format.DateTimeParseException unreadable) {
                return null;
            }
        }
    }

    private Uni<Answer> post(Deliveries.Claimed delivery, URI url, InetAddress address, List<String> signing) {
        byte[] body = delivery.body().getBytes(StandardCharsets.UTF_8);
        long timestamp = Instant.now().getEpochSecond();
        String id = delivery.id().toString();
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        Excerpt excerpt = new Excerpt();
        // a client span in the trace of the event that caused the callback, with the host only (docs/adr/0041); the
        // receiver gets its context in the traceparent header
        Span span = tracer.spanBuilder("POST").setSpanKind(SpanKind.CLIENT)
                .setParent(TraceParents.parent(delivery.traceParent())).setAttribute("http.request.method", "POST")
                .setAttribute("server.address", url.getHost()).setAttribute("server.port", (long) port)
                .setAttribute(RunTelemetry.RUN_ID_ATTRIBUTE, delivery.runId().toString())
                .setAttribute(RunTelemetry.OWNER_ID_ATTRIBUTE, delivery.ownerId().toString()).startSpan();
        String traceParent = TraceParents.of(io.opentelemetry.context.Context.root().with(span));
        // connect to the checked address; Host and SNI keep the name
        var request = client
                .request(HttpMethod.POST, SocketAddress.inetSocketAddress(port, address.getHostAddress()),
                        new RequestOptions().setHost(url.getHost()).setPort(port).setSsl(tls)
                                .setURI(url.getRawPath().isEmpty() ? "/" + query(url) : url.getRawPath() + query(url)))
                .putHeader("Content-Type", "application/json").putHeader("webhook-id", id)
                .putHeader("webhook-timestamp", Long.toString(timestamp))
                .putHeader("webhook-signature", WebhookSignature.header(signing, id, timestamp, body));
        if (traceParent != null) {
            request.putHeader(TraceParents.HEADER, traceParent);
        }
        return request.timeout(config.timeout().toMillis())
                .as(BodyCodec.pipe(io.vertx.mutiny.core.streams.WriteStream.newInstance(excerpt)))
                .sendBuffer(Buffer.buffer(body)).ifNoItem().after(config.timeout()).fail()
                .map((HttpResponse<Void> response) -> new Answer(response.statusCode(), excerpt.text(),
                        response.getHeader("Retry-After")))
                .onTermination().invoke((answer, failure, canceled) -> {
                    if (failure != null || answer == null || answer.status() >= 300) {
                        span.setStatus(StatusCode.ERROR);
                    }
                    if (answer != null) {
                        span.setAttribute("http.response.status_code", (long) answer.status());
                    }
                    span.end();
                });
    }

    private static String query(URI url) {
        return url.getRawQuery() == null ? "" : "?" + url.getRawQuery();
    }

    private Outcome failed(int n, OffsetDateTime at, long started, Throwable failure) {
        String error;
        if (failure instanceof EgressPolicy.RefusedException refused) {
            error = "refused: " + refused.getMessage();
        } else if (failure instanceof UnknownHostException) {
            error = "the host name does not resolve";
        } else if (failure instanceof ConnectException || failure.getCause() instanceof ConnectException) {
            error = "the connection was refused";
        } else if (failure.getClass().getSimpleName().contains("Timeout")) {
            error = "no answer within " + config.timeout().toMillis() + " ms";
        } else {
            error = "the request failed (" + failure.getClass().getSimpleName() + ")";
        }
        return new Outcome(new Deliveries.Attempt(n, at, null, millisSince(started), error, null), null);
    }

    private Uni<Void> finish(Deliveries.Claimed delivery, Outcome result) {
        Deliveries.Attempt attempt = result.attempt();
        Integer status = attempt.statusCode();
        String outcome;
        String state;
        OffsetDateTime next = null;
        if (status != null && status >= 200 && status < 300) {
            outcome = "success";
            state = Deliveries.SUCCEEDED;
        } else if (isFinal(attempt)) {
            outcome = "rejected";
            state = Deliveries.FAILED;
        } else {
            Duration delay = nextDelay(delivery.scheduleIndex() + 1, result.retryAfter());
            outcome = "retry";
            state = delay == null ? Deliveries.FAILED : Deliveries.PENDING;
            next = delay == null ? null : OffsetDateTime.now(ZoneOffset.UTC).plus(delay);
        }
        registry.counter("runwire.callbacks.attempts", "outcome", outcome).increment();
        if (Deliveries.FAILED.equals(state)) {
            // the delivery is given up: an operator sees it here and in the counter, and may send it again
            registry.counter("runwire.callbacks.failed").increment();
            try (var logged = RunLogContext.open(delivery.runId(), delivery.ownerId(), delivery.traceParent())) {
                LOG.warnf(
                        "callback %s of run %s failed after %d attempts (last: %s); POST /v1/callbacks/%s/redeliver "
                                + "sends it again",
                        delivery.id(), delivery.runId(), delivery.attempt(),
                        status != null ? "HTTP " + status : attempt.error(), delivery.id());
            }
        } else if (!Deliveries.SUCCEEDED.equals(state)) {
            try (var logged = RunLogContext.open(delivery.runId(), delivery.ownerId(), delivery.traceParent())) {
                LOG.debugf("callback %s of run %s attempt %d failed (%s); tried again later", delivery.id(),
                        delivery.runId(), delivery.attempt(), status != null ? "HTTP " + status : attempt.error());
            }
        }
        return record(new Deliveries.Outcome(delivery, attempt, state, next));
    }

    /**
     * Queues an outcome to be written with others: one round trip per batch instead of one per attempt. A batch goes
     * when it is full or a few milliseconds after its first outcome.
     */
    private Uni<Void> record(Deliveries.Outcome outcome) {
        java.util.concurrent.CompletableFuture<Void> written = new java.util.concurrent.CompletableFuture<>();
        context.runOnContext(() -> {
            unwritten.add(new Unwritten(outcome, written));
            if (unwritten.size() >= RECORD_BATCH) {
                flush();
            } else if (flushTimer < 0) {
                flushTimer = vertx.setTimer(RECORD_WAIT_MILLIS, id -> {
                    flushTimer = -1;
                    flush();
                });
            }
        });
        return Uni.createFrom().completionStage(written);
    }

    /** Runs on the dispatcher's context. */
    private void flush() {
        if (unwritten.isEmpty()) {
            return;
        }
        List<Unwritten> batch = List.copyOf(unwritten);
        unwritten.clear();
        deliveries.record(batch.stream().map(Unwritten::outcome).toList()).subscribe().with(
                ok -> batch.forEach(u -> u.written().complete(null)),
                failure -> batch.forEach(u -> u.written().completeExceptionally(failure)));
    }

    /** A 4xx other than 408 and 429, or a refused address: retrying cannot help. */
    private static boolean isFinal(Deliveries.Attempt attempt) {
        Integer status = attempt.statusCode();
        if (status == null) {
            return attempt.error() != null && attempt.error().startsWith("refused:");
        }
        return status >= 400 && status < 500 && status != 408 && status != 429;
    }

    /** The delay before schedule entry {@code index} with jitter, or null when the schedule is used up. */
    Duration nextDelay(int index, Duration retryAfter) {
        List<Duration> schedule = config.schedule();
        if (index >= schedule.size()) {
            return null;
        }
        if (retryAfter != null) {
            return retryAfter.compareTo(config.maxRetryAfter()) > 0 ? config.maxRetryAfter() : retryAfter;
        }
        long base = schedule.get(index).toMillis();
        double spread = config.jitter() * base;
        long jittered = Math.round(base - spread + ThreadLocalRandom.current().nextDouble() * 2 * spread);
        return Duration.ofMillis(Math.max(0, jittered));
    }

    private static int millisSince(long started) {
        return (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - started) / 1_000_000);
    }
}

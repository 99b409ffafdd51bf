package dev.runwire.executor.integration;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;

import dev.runwire.executor.config.ExecutorConfig;
import dev.runwire.model.command.ActionSpec;
import dev.runwire.model.command.HttpSpec;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.egress.EgressPolicy;
import dev.runwire.model.http.HttpValues;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.schema.Violation;
import dev.runwire.model.trace.RunTelemetry;
import dev.runwire.model.trace.TraceParents;

/**
 * Calls an {@code http} action's integration without blocking: the request built from the templates, the step's stable
 * {@code Idempotency-Key}, the run's pass-through headers and query, a timeout; the response turned into an output and
 * checked against the output schema. Error messages never quote the request (its URL or headers may carry pass-through
 * secrets).
 */
@ApplicationScoped
public class HttpIntegrationClient {

    private static final Logger LOG = Logger.getLogger(HttpIntegrationClient.class);
    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private static final String USER_AGENT = "runwire-executor";

    private final HttpClient client;
    private final ActionSchemas schemas;
    private final Egress egress;
    private final PassThroughAuth auth;
    private final ExecutorConfig config;
    private final MeterRegistry registry;
    private final ObjectMapper mapper = Json.mapper();
    private final Tracer tracer;

    HttpIntegrationClient(Vertx vertx, ActionSchemas schemas, ExecutorConfig config, MeterRegistry registry,
            Egress egress, PassThroughAuth auth, Tracer tracer) {
        this.tracer = tracer;
        this.egress = egress;
        this.auth = auth;
        this.schemas = schemas;
        this.config = config;
        this.registry = registry;
        // the core client: its request is ours to reset when the run is aborted (no hook into a web client needed)
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.execution().connectTimeout().toMillis()).setKeepAlive(true)
                .setKeepAliveTimeout(KEEP_ALIVE_SECONDS).setMaxPoolSize(config.execution().maxInFlight())
                // the call's span is this class's own: Vert.x's would record the full URL, query and all, which may
                // hold a credential (an API key in the query)
                .setTracingPolicy(TracingPolicy.IGNORE));
    }

    /**
     * How long an idle pooled connection is kept: below the idle timeouts servers commonly use (Node.js 5 s, most
     * proxies more), so a call is not sent on a connection the integration is closing at that moment, which fails the
     * call with the connection closed (seen after a 30 s pause against a server that closes idle connections at 30 s).
     */
    private static final int KEEP_ALIVE_SECONDS = 4;

    /** A call in flight that the run can cancel: its request is reset (the connection closed), its outcome dropped. */
    public static final class Call {
        private HttpClientRequest request;
        private boolean canceled;

        /** @return false when the call was cancelled before its request went out (then it is reset at once) */
        synchronized boolean attach(HttpClientRequest clientRequest) {
            request = clientRequest;
            if (canceled) {
                clientRequest.reset();
            }
            return !canceled;
        }

        public synchronized void cancel() {
            canceled = true;
            if (request != null) {
                request.reset();
            }
        }

        synchronized boolean canceled() {
            return canceled;
        }
    }

    /** The key an integration sees for every attempt of one step of one run. */
    public static String idempotencyKey(UUID runId, String stepId) {
        return runId + ":" + stepId;
    }

    /**
     * Calls the step's integration with the given (resolved) input.
     *
     * @param call
     *            lets the caller cancel the call while it is in flight
     */
    public Uni<StepOutcome> call(UUID runId, PlanStep step, JsonNode input, List<PassThrough> passThrough, Call call) {
        // the step's trace, current while the call is made (RunActor): the call's span is its child
        Context trace = Context.current();
        ActionSpec action = step.action();
        HttpSpec http = action.http();
        URI url;
        JsonNode body;
        try {
            url = URI.create(joinUrl(http.baseUrl(), RequestTemplate.path(http.path(), input)));
            body = hasBody(http.method()) ? RequestTemplate.body(http.body(), input) : null;
        } catch (RequestTemplate.MissingValueException | IllegalArgumentException e) {
            return Uni.createFrom().item(StepOutcome.failure(RunError.of(Codes.MAPPING_ERROR, e.getMessage())));
        }
        JsonNode values = passThrough.stream()
                .filter(entry -> entry.values() != null && entry.appliesTo(http.integrationKey()))
                .map(PassThrough::values).reduce((first, last) -> last).orElse(null);
        return egress.resolve(url).onItem()
                .transformToUni(address -> auth.prepare(values, url).chain(
                        prepared -> send(runId, step, input, passThrough, prepared, call, url, address, body, trace)))
                .onFailure(EgressPolicy.RefusedException.class)
                .recoverWithItem(refused -> StepOutcome.failure(RunError.of(Codes.EGRESS_REFUSED,
                        "the integration's address is not reachable from " + "Runwire: " + refused.getMessage())))
                .onFailure(PassThroughAuth.UnusableException.class)
                .recoverWithItem(unusable -> StepOutcome
                        .failure(RunError.of(Codes.PASS_THROUGH_UNUSABLE, unusable.getMessage())))
                .onFailure(IllegalArgumentException.class).recoverWithItem(HttpIntegrationClient::refusedRequest);
    }

    /**
     * The HTTP client refused the request made for the call: a header name or value with CR, LF or NUL (checked when
     * the run was accepted; this is the second wall). The step fails; the message quotes nothing (it may be a secret).
     */
    private static StepOutcome refusedRequest(Throwable refusal) {
        return StepOutcome.failure(RunError.of(Codes.REQUEST_REFUSED,
                refusal instanceof RefusedHeaderException
                        ? "the request for the call was not sent: " + refusal.getMessage()
                        : "the request for the call holds a header name or value HTTP does not allow (CR, LF, NUL)"));
    }

    private Uni<StepOutcome> send(UUID runId, PlanStep step, JsonNode input, List<PassThrough> passThrough,
            PassThroughAuth.Prepared prepared, Call call, URI url, InetAddress address, JsonNode body, Context trace) {
        ActionSpec action = step.action();
        HttpSpec http = action.http();
        HttpMethod method = HttpMethod.valueOf(http.method().toUpperCase());
        OutgoingRequest request = new OutgoingRequest(url);
        applyTemplates(request, http.headers(), input, true);
        applyTemplates(request, http.query(), input, false);
        request.headers.set(IDEMPOTENCY_KEY, idempotencyKey(runId, step.stepId()));
        request.headers.set("Accept", "application/json");
        for (PassThrough data : passThrough) {
            if (data.appliesTo(http.integrationKey())) {
                if (data.headers() != null) {
                    data.headers().forEach((name, value) -> putChecked(request, name, value));
                }
                if (data.query() != null) {
                    data.query().forEach((name, value) -> request.queryParams().add(name, value));
                }
            }
        }
        byte[] bytes = body == null ? null : body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes != null) {
            request.headers.set("Content-Type", "application/json");
        }
        if (prepared.bearer() != null) {
            putChecked(request, "Authorization", "Bearer " + prepared.bearer());
        }
        // a client span with the method, host and port only: no URL, header or body (docs/adr/0041); its context goes
        // to the integration in the W3C traceparent header
        Span span = tracer.spanBuilder(method.name()).setParent(trace).setSpanKind(SpanKind.CLIENT)
                .setAttribute("http.request.method", method.name()).setAttribute("server.address", url.getHost())
                .setAttribute("server.port",
                        (long) (url.getPort() > 0 ? url.getPort()
                                : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80))
                .setAttribute(RunTelemetry.RUN_ID_ATTRIBUTE, runId.toString())
                .setAttribute(RunTelemetry.STEP_ID_ATTRIBUTE, step.stepId()).startSpan();
        String traceParent = TraceParents.of(trace.with(span));
        if (traceParent != null) {
            request.headers.set(TraceParents.HEADER, traceParent);
        }
        if (prepared.aws() != null) {
            // signed last: the signature covers the final query and body
            auth.sign(prepared, method, url, request.queryParams(), bytes == null ? null : "application/json", bytes)
                    .forEach(request.headers::set);
        }
        RequestOptions options = Egress.options(method, url, address, request.uri())
                .setHeaders(request.headers.getDelegate()).setTimeout(action.timeoutMs()).setFollowRedirects(false);
        // set once a connection is there and the request starts going out: a failure before it cannot have reached the
        // integration (connect refused, connect timeout), one after may have (ADR 0035)
        java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean();
        Uni<Answer> response = client.request(options).chain(sent -> {
            if (!call.attach(sent.getDelegate())) {
                return Uni.createFrom().failure(new CancellationException("the run was aborted"));
            }
            sending.set(true);
            return (bytes == null ? sent.send() : sent.send(Buffer.buffer(bytes))).chain(answer -> answer.body()
                    .map(raw -> new Answer(answer.statusCode(), answer.getHeader("Content-Type"), raw)));
        });
        Timer.Sample sample = Timer.start(registry);
        // Only the exchange's failures become the step's outcome; the answer is read and checked against the output
        // schema on a worker thread, never on the event loop, and what that throws fails the run (RunActor).
        return response.ifNoItem().after(Duration.ofMillis(action.timeoutMs()))
                .failWith(TimeoutException::new).<java.util.function.Supplier<StepOutcome>> map(
                        answer -> () -> outcome(action, answer))
                .onFailure().recoverWithItem(failure -> () -> failed(action, failure, call.canceled(), sending.get()))
                .emitOn(Infrastructure.getDefaultWorkerPool()).map(java.util.function.Supplier::get)
                .invoke(outcome -> sample.stop(registry.timer("runwire.integration.call", "action", action.key(),
                        "outcome", outcome.succeeded() ? "success" : outcome.error().code())))
                .onTermination().invoke((outcome, failure, canceled) -> {
                    if (outcome != null && !outcome.succeeded()) {
                        span.setStatus(StatusCode.ERROR, outcome.error().code());
                    }
                    span.end();
                });
    }

    /** The integration's answer, read whole. */
    private record Answer(int statusCode, String contentType, Buffer body) {

        /** The body as text in the charset the answer names, UTF-8 when it names none (as a web client reads it). */
        String bodyAsString() {
            if (body == null) {
                return null;
            }
            java.nio.charset.Charset charset = java.nio.charset.StandardCharsets.UTF_8;
            if (contentType != null) {
                for (String part : contentType.split(";")) {
                    String trimmed = part.trim();
                    if (trimmed.regionMatches(true, 0, "charset=", 0, 8)) {
                        try {
                            charset = java.nio.charset.Charset.forName(trimmed.substring(8).replace("\"", ""));
                        } catch (IllegalArgumentException unknown) {
                            // an unknown charset: UTF-8
                        }
                    }
                }
            }
            return body.toString(charset.name());
        }
    }

    /**
     * A request being built: its headers, and its query kept the way a Vert.x web client keeps it (the URL's own query
     * is decoded into the parameters once one is added or read, and the whole query is encoded again when the request
     * is made), so what is sent, and what an AWS signature covers, stays byte for byte as before.
     */
    private static final class OutgoingRequest {
        final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        private String uri;
        private MultiMap params;

        OutgoingRequest(URI url) {
            this.uri = Egress.requestUri(url);
            headers.set("User-Agent", USER_AGENT);
        }

        MultiMap queryParams() {
            if (params == null) {
                params = MultiMap.caseInsensitiveMultiMap();
                int query = uri.indexOf('?');
                if (query >= 0) {
                    new QueryStringDecoder(uri).parameters()
                            .forEach((name, values) -> values.forEach(value -> params.add(name, value)));
                    uri = uri.substring(0, query);
                }
            }
            return params;
        }

        String uri() {
            if (params == null) {
                return uri;
            }
            QueryStringDecoder decoded = new QueryStringDecoder(uri);
            QueryStringEncoder encoder = new QueryStringEncoder(decoded.rawPath());
            decoded.parameters().forEach((name, values) -> values.forEach(value -> encoder.addParam(name, value)));
            params.forEach(param -> encoder.addParam(param.getKey(), param.getValue()));
            return encoder.toString();
        }
    }

    private StepOutcome outcome(ActionSpec action, Answer response) {
        int status = response.statusCode();
        HttpSpec.CredentialCheck check = action.http().credentialsInvalid();
        if (check != null && check.matches(status, check.bodyPattern() == null ? null : response.bodyAsString())) {
            // the run waits for new credentials instead of failing
            return StepOutcome.failure(new RunError(Codes.CREDENTIALS_INVALID,
                    "the integration refused the credentials (HTTP " + status + ")", status, null));
        }
        if (status < 200 || status >= 300) {
            return StepOutcome.failure(new RunError(Codes.INTEGRATION_HTTP_ERROR,
                    "the integration answered HTTP " + status, status, null));
        }
        Buffer raw = response.body();
        if (raw != null && raw.length() > config.execution().maxResponseBytes()) {
            return StepOutcome.failure(new RunError(Codes.INVALID_OUTPUT,
                    "the integration's response is larger than " + config.execution().maxResponseBytes() + " bytes",
                    status, null));
        }
        JsonNode json;
        try {
            json = raw == null || raw.length() == 0 ? mapper.nullNode() : mapper.readTree(raw.getBytes());
        } catch (IOException e) {
            return StepOutcome.failure(
                    new RunError(Codes.INVALID_OUTPUT, "the integration's response is not JSON", status, null));
        }
        JsonNode output = action.useDefaultMapping() || action.outputMapping() == null ? json
                : RequestTemplate.output(action.outputMapping(), json);
        List<Violation> violations = schemas.outputViolations(action, output);
        if (!violations.isEmpty()) {
            return StepOutcome.failure(Violations.toRunError(Codes.OUTPUT_SCHEMA_VIOLATION,
                    "the output does not match the action's output schema", status, violations));
        }
        return StepOutcome.success(output);
    }

    /**
     * The outcome of a call that got no answer. {@code sending} tells whether the request had started going out: a
     * failure after that may have reached the integration ({@link StepOutcome#lostAfterSending}).
     */
    private StepOutcome failed(ActionSpec action, Throwable failure, boolean canceled, boolean sending) {
        if (canceled) {
            return StepOutcome.failure(RunError.of(Codes.CANCELED, "the call was cancelled: the run was aborted"));
        }
        if (failure instanceof IllegalArgumentException) {
            return refusedRequest(failure);
        }
        boolean connecting = failure instanceof ConnectException || failure.getCause() instanceof ConnectException
                || failure instanceof ConnectTimeoutException;
        if (failure instanceof TimeoutException || failure instanceof ConnectTimeoutException
                || failure.getClass().getSimpleName().contains("Timeout")) {
            RunError timeout = RunError.of(Codes.INTEGRATION_TIMEOUT,
                    "the integration did not answer within " + action.timeoutMs() + " ms");
            return sending && !connecting ? StepOutcome.lostAfterSending(timeout) : StepOutcome.failure(timeout);
        }
        if (connecting) {
            return StepOutcome
                    .failure(RunError.of(Codes.INTEGRATION_UNREACHABLE, "the integration refused the connection"));
        }
        // the message may quote the request; log only the type
        LOG.warnf("integration call of action %s failed: %s", action.key(), failure.getClass().getName());
        if (sending) {
            return StepOutcome.lostAfterSending(RunError.of(Codes.INTEGRATION_UNREACHABLE,
                    "the connection to the integration was lost after the request was sent"));
        }
        return StepOutcome.failure(RunError.of(Codes.INTEGRATION_UNREACHABLE, "the integration could not be reached"));
    }

    private static void applyTemplates(OutgoingRequest request, Map<String, String> templates, JsonNode input,
            boolean headers) {
        if (templates == null) {
            return;
        }
        templates.forEach((name, template) -> {
            String value = RequestTemplate.optionalValue(template, input);
            if (value != null) {
                if (headers) {
                    putChecked(request, name, value);
                } else {
                    request.queryParams().add(name, value);
                }
            }
        });
    }

    /**
     * Sets a header the run's data made (a template's value, pass-through data, a token) after checking it like the
     * api-service did when the run was accepted; a refusal fails the step ({@link #refusedRequest}), never the run's
     * handler, and quotes nothing.
     */
    private static void putChecked(OutgoingRequest request, String name, String value) {
        String problem = HttpValues.headerNameProblem(name);
        if (problem == null) {
            problem = HttpValues.headerValueProblem(value);
        }
        if (problem != null) {
            throw new RefusedHeaderException(problem);
        }
        request.headers.set(name, value);
    }

    /** A header the run's data made that HTTP cannot carry; its message says why without quoting it. */
    private static final class RefusedHeaderException extends IllegalArgumentException {
        RefusedHeaderException(String problem) {
            super(problem);
        }
    }

    private static boolean hasBody(String method) {
        return switch (method.toUpperCase()) {
        case "POST", "PUT", "PATCH" -> true;
        default -> false;
        };
    }

    private static String joinUrl(String baseUrl, String path) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return path.isEmpty() || path.startsWith("/") ? base + path : base + "/" + path;
    }
}

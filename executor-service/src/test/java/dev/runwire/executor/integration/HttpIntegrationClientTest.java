package dev.runwire.executor.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.mutiny.core.Vertx;

import dev.runwire.executor.config.ExecutorConfig;
import dev.runwire.model.command.ActionSpec;
import dev.runwire.model.command.HttpSpec;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunError.Codes;

/**
 * The integration client against a real HTTP server on 127.0.0.1: what a call sends, how its answer becomes an outcome,
 * and that a cancelled call is reset (no Quarkus, no broker, no database).
 */
class HttpIntegrationClientTest {

    private static Vertx vertx;
    private static HttpServer server;
    private static int port;
    private static HttpIntegrationClient client;
    /** What the server received, one entry per request: method, request line target, headers, body. */
    private static final BlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();
    /** Requests the server holds without answering (calls to cancel or to time out). */
    private static final BlockingQueue<HttpServerRequest> held = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.getDelegate().createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            received.add(Map.of(
                    "method", request.method().name(), "uri", request.uri(), "headers", request.headers().entries()
                            .stream().map(e -> e.getKey().toLowerCase() + ": " + e.getValue()).toList(),
                    "body", body.toString()));
            String path = request.path();
            if (path.startsWith("/hold")) {
                held.add(request);
                return;
            }
            int status = path.startsWith("/status/") ? Integer.parseInt(path.substring(8)) : 200;
            String answer = path.startsWith("/text") ? "not json" : "{\"ok\":true,\"echo\":" + Json.write(path) + "}";
            request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(answer);
        }));
        port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();
        ExecutorConfig config = config();
        Egress egress = new Egress(config);
        client = new HttpIntegrationClient(vertx, new ActionSchemas(), config, new SimpleMeterRegistry(), egress,
                new PassThroughAuth(config, egress, vertx), OpenTelemetry.noop().getTracer("test"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.closeAndAwait();
    }

    private static ExecutorConfig config() {
        Map<String, Object> execution = Map.of("maxInFlight", 8, "connectTimeout", Duration.ofSeconds(2),
                "maxResponseBytes", 10_000);
        Map<String, Object> egress = Map.of("allow", Optional.of(List.of("127.0.0.1/32")), "requireHttps", false);
        Map<String, Object> aws = Map.of("accessKeyId", Optional.empty(), "secretAccessKey", Optional.empty(),
                "sessionToken", Optional.empty(), "stsEndpoint", "https://sts.amazonaws.com", "region", "us-east-1");
        return proxy(ExecutorConfig.class, Map.of("execution", proxy(ExecutorConfig.Execution.class, execution),
                "egress", proxy(ExecutorConfig.Egress.class, egress), "aws", proxy(ExecutorConfig.Aws.class, aws)));
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Map<String, Object> values) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (self, method, args) -> {
            if (!values.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName());
            }
            return values.get(method.getName());
        });
    }

    private static PlanStep step(String method, String path, Map<String, String> headers, Map<String, String> query,
            Map<String, String> body, long timeoutMs, HttpSpec.CredentialCheck check) {
        HttpSpec http = new HttpSpec("crm", method, "http://127.0.0.1:" + port, path, headers, query, body, check);
        ActionSpec action = new ActionSpec(UUID.randomUUID(), "crm.act", 1, ActionSpec.HTTP, http, true, null, null,
                null, timeoutMs, null, null);
        return new PlanStep("A", "step A", List.of(), action, null);
    }

    private static PlanStep get(String path) {
        return step("GET", path, null, null, null, 2000, null);
    }

    private static StepOutcome call(PlanStep step, JsonNode input, List<PassThrough> passThrough,
            HttpIntegrationClient.Call call) {
        return client.call(UUID.fromString("00000000-0000-0000-0000-000000000001"), step, input, passThrough, call)
                .await().atMost(Duration.ofSeconds(10));
    }

    private static Map<String, Object> lastReceived() throws InterruptedException {
        Map<String, Object> request = received.poll(10, TimeUnit.SECONDS);
        assertTrue(request != null, "the server received nothing");
        return request;
    }

    @Test
    void aCallSendsItsTemplatesItsIdempotencyKeyAndItsBody() throws Exception {
        received.clear();
        PlanStep step = step("POST", "/things/{id}", Map.of("X-Trace", "{id}"), Map.of("q", "{id}"),
                Map.of("name", "/name"), 2000, null);
        StepOutcome outcome = call(step, Json.read("{\"id\":\"a b\",\"name\":\"n\"}", JsonNode.class), List.of(),
                new HttpIntegrationClient.Call());
        assertTrue(outcome.succeeded(), String.valueOf(outcome.error()));
        Map<String, Object> request = lastReceived();
        assertEquals("POST", request.get("method"));
        @SuppressWarnings("unchecked")
        List<String> headers = (List<String>) request.get("headers");
        assertTrue(headers.contains("idempotency-key: 00000000-0000-0000-0000-000000000001:A"), headers.toString());
        assertTrue(headers.contains("accept: application/json"), headers.toString());
        assertTrue(headers.contains("user-agent: runwire-executor"), headers.toString());
        assertTrue(headers.contains("content-type: application/json"), headers.toString());
        assertTrue(headers.contains("x-trace: a b"), headers.toString());
        assertEquals("{\"name\":\"n\"}", request.get("body"));
        assertEquals("/things/a%20b?q=a%20b", request.get("uri"));
    }

    @Test
    void passThroughQueryIsAddedToTheUrlsOwnQuery() throws Exception {
        received.clear();
        PlanStep step = step("GET", "/list?page=2&tag=x%2Fy", null, null, null, 2000, null);
        PassThrough values = new PassThrough(null, Map.of("X-Tenant", "t1"), Map.of("key", "k 1"), null, null, null,
                null);
        assertTrue(call(step, null, List.of(values), new HttpIntegrationClient.Call()).succeeded());
        Map<String, Object> request = lastReceived();
        assertEquals("/list?page=2&tag=x%2Fy&key=k%201", request.get("uri"));
    }

    @Test
    void aUrlQueryIsSentAsWrittenWhenNothingIsAdded() throws Exception {
        received.clear();
        assertTrue(call(get("/list?a=1&b=%7E"), null, List.of(), new HttpIntegrationClient.Call()).succeeded());
        assertEquals("/list?a=1&b=%7E", lastReceived().get("uri"));
    }

    @Test
    void theAnswerIsTheOutput() {
        StepOutcome outcome = call(get("/hello"), null, List.of(), new HttpIntegrationClient.Call());
        assertEquals(Json.read("{\"ok\":true,\"echo\":\"/hello\"}", JsonNode.class), outcome.output());
    }

    @Test
    void anErrorStatusFailsTheStepWithIt() {
        StepOutcome outcome = call(get("/status/503"), null, List.of(), new HttpIntegrationClient.Call());
        assertEquals(Codes.INTEGRATION_HTTP_ERROR, outcome.error().code());
        assertEquals(503, outcome.error().httpStatus());
    }

    @Test
    void aRefusalOfTheCredentialsIsToldApart() {
        PlanStep step = step("GET", "/status/401", null, null, null, 2000,
                new HttpSpec.CredentialCheck(List.of(401), null));
        assertEquals(Codes.CREDENTIALS_INVALID,
                call(step, null, List.of(), new HttpIntegrationClient.Call()).error().code());
    }

    @Test
    void anAnswerThatIsNotJsonIsAnInvalidOutput() {
        assertEquals(Codes.INVALID_OUTPUT,
                call(get("/text"), null, List.of(), new HttpIntegrationClient.Call()).error().code());
    }

    @Test
    void aCallWithoutAnAnswerTimesOut() {
        StepOutcome outcome = call(step("GET", "/hold/timeout", null, null, null, 300, null), null, List.of(),
                new HttpIntegrationClient.Call());
        assertEquals(Codes.INTEGRATION_TIMEOUT, outcome.error().code());
        assertTrue(outcome.requestSent(), "the request went out: the integration may have acted on it");
    }

    @Test
    void aConnectionClosedAfterTheRequestWasSentMayHaveReachedTheIntegration() throws Exception {
        held.clear();
        var pending = client
                .call(UUID.randomUUID(), step("POST", "/hold/drop", null, null, null, 5_000, null),
                        Json.read("{}", JsonNode.class), List.of(), new HttpIntegrationClient.Call())
                .subscribeAsCompletionStage();
        HttpServerRequest request = held.poll(10, TimeUnit.SECONDS);
        assertTrue(request != null, "the call did not arrive");
        request.connection().close();
        StepOutcome outcome = pending.toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(Codes.INTEGRATION_UNREACHABLE, outcome.error().code());
        assertTrue(outcome.requestSent());
    }

    @Test
    void aRefusedConnectionSentNothing() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = socket.getLocalPort();
        }
        HttpSpec http = new HttpSpec("crm", "POST", "http://127.0.0.1:" + closed, "/", null, null, null, null);
        ActionSpec action = new ActionSpec(UUID.randomUUID(), "crm.act", 1, ActionSpec.HTTP, http, true, null, null,
                null, 2000, null, null);
        StepOutcome outcome = call(new PlanStep("A", "a", List.of(), action, null), Json.read("{}", JsonNode.class),
                List.of(), new HttpIntegrationClient.Call());
        assertEquals(Codes.INTEGRATION_UNREACHABLE, outcome.error().code());
        assertFalse(outcome.requestSent(), "nothing reached anybody: it may be sent again");
    }

    @Test
    void aCancelledCallIsResetAndEndsCancelled() throws Exception {
        held.clear();
        HttpIntegrationClient.Call call = new HttpIntegrationClient.Call();
        var pending = client.call(UUID.randomUUID(), step("GET", "/hold/cancel", null, null, null, 30_000, null), null,
                List.of(), call).subscribeAsCompletionStage();
        HttpServerRequest request = held.poll(10, TimeUnit.SECONDS);
        assertTrue(request != null, "the call did not arrive");
        java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();
        request.connection().closeHandler(ignored -> closed.complete(null));
        request.response().closeHandler(ignored -> closed.complete(null));
        call.cancel();
        StepOutcome outcome = pending.toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(Codes.CANCELED, outcome.error().code());
        closed.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCallCancelledBeforeItsRequestWentOutIsNotSent() {
        HttpIntegrationClient.Call call = new HttpIntegrationClient.Call();
        call.cancel();
        assertEquals(Codes.CANCELED, call(get("/never"), null, List.of(), call).error().code());
    }

    @Test
    void anAddressTheEgressGuardRefusesIsNotCalled() {
        HttpSpec http = new HttpSpec("crm", "GET", "http://10.1.2.3:9", "/", null, null, null, null);
        ActionSpec action = new ActionSpec(UUID.randomUUID(), "crm.act", 1, ActionSpec.HTTP, http, true, null, null,
                null, 2000, null, null);
        StepOutcome outcome = call(new PlanStep("A", "a", List.of(), action, null), null, List.of(),
                new HttpIntegrationClient.Call());
        assertEquals(Codes.EGRESS_REFUSED, outcome.error().code());
    }
}

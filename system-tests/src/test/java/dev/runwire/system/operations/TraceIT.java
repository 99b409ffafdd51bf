package dev.runwire.system.operations;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.OtlpReceiver;
import dev.runwire.system.support.OtlpReceiver.Span;
import dev.runwire.system.support.Plans;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * One trace for a plan run across both services (docs/adr/0041): the api's request, the command's producer span (the
 * outbox), the executor's consumer span, each step and its call to the integration (which receives the trace in its
 * {@code traceparent}), the events' producer spans, the read model's projection of each event and the callback's POST
 * (whose receiver gets the trace too), linked parent to child. Both services export over OTLP/HTTP to a receiver the
 * test runs; their own database (callbacks are claimed by every api-service of a database) and topics.
 */
class TraceIT {

    static OtlpReceiver receiver;
    static IsolatedTopics topics;
    static ServiceProcess api;
    static ServiceProcess executor;
    @NewStub
    static Stub stub;
    static Owner owner;

    @BeforeAll
    static void setUp() throws Exception {
        receiver = new OtlpReceiver();
        Map<String, String> tracing = Map.of("QUARKUS_OTEL_TRACES_SAMPLER_ARG", "1",
                "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.endpoint(),
                "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf", "QUARKUS_OTEL_BSP_SCHEDULE_DELAY",
                "100ms");
        topics = new IsolatedTopics("trace");
        Map<String, String> apiEnv = new HashMap<>(SystemUnderTest.secondDatabase());
        apiEnv.putAll(tracing);
        // a callback that fails is given up after two attempts (and logged)
        apiEnv.put("RUNWIRE_CALLBACKS_SCHEDULE", "0s,200ms");
        apiEnv.put("RUNWIRE_CALLBACKS_POLL", "200ms");
        api = ServiceProcess.api("api-trace", topics.apiEnv(apiEnv)).start();
        Map<String, String> executorEnv = new HashMap<>(topics.executorEnv());
        executorEnv.putAll(tracing);
        // the line the executor logs when a run ends
        executorEnv.put("QUARKUS_LOG_CATEGORY__DEV_RUNWIRE_EXECUTOR_RUN__LEVEL", "DEBUG");
        executor = ServiceProcess.executor("executor-trace", executorEnv).start();
        owner = owner(api);
        integration(api, owner.apiKey(), "stub", stub.baseUrl());
        action(api, owner.apiKey(), "item", "stub", "/item", 10_000);
        stub.on("/item/", 200, "{\"id\":\"next\",\"price\":2}", 0);
        stub.on("/hook/", 200, "{\"ok\":true}", 0);
        stub.on("/hook-down/", 500, "{}", 0);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> as(api, owner.apiKey())
                        .body(Map.of("key", "item", "userId", "u", "input", Map.of("id", "warm")))
                        .post("/v1/actions/run").statusCode() == 200);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (executor != null) {
            executor.stop();
        }
        if (api != null) {
            api.stop();
        }
        topics.close();
        receiver.close();
    }

    @Test
    void aPlanRunIsOneConnectedTraceAcrossBothServices() {
        Map<String, Object> body = Plans.runBody(List.of(Plans.step("A", "item", List.of(), Map.of("id", "first")),
                Plans.step("B", "item", List.of("A"), Map.of("id", Plans.ref("A", "/id")))));
        body.put("callbackUrl", stub.baseUrl() + "/hook/trace");
        String runId = Plans.create(api, owner.apiKey(), body);
        assertEquals("SUCCESS", Plans.finished(api, owner.apiKey(), runId).getString("status"));
        Awaitility.await("the run's callback").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> !stub.receivedUnder("/hook/trace").isEmpty());

        // the request's span names the run: its trace is the run's
        Span request = Awaitility.await("the request's span").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> receiver.spans.stream()
                        .filter(s -> s.kind().equals("SERVER") && runId.equals(s.attribute("runwire.run.id")))
                        .findFirst().orElse(null), s -> s != null);
        String traceId = request.traceId();
        // everything the run causes, exported: two steps, two calls, the callback's POST
        Awaitility.await("the run's spans").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> named(receiver.trace(traceId), "run step").size() == 2
                        && receiver.trace(traceId).stream().filter(s -> s.kind().equals("CLIENT")).count() == 3
                        && !named(receiver.trace(traceId), "project run event").isEmpty());
        List<Span> trace = receiver.trace(traceId);
        Map<String, Span> byId = trace.stream().collect(Collectors.toMap(Span::spanId, Function.identity()));
        print(trace, byId);

        assertEquals("runwire-api", request.service());
        assertEquals("POST /v1/runs", request.name());
        assertEquals(owner.id(), request.attribute("runwire.owner.id"));
        assertTrue(request.parentSpanId().isEmpty(), "the request's span is the trace's root");

        // api: the command's producer span, a child of the request (through the outbox row)
        Span command = only(trace, s -> s.service().equals("runwire-api") && s.kind().equals("PRODUCER"),
                "the run command's producer span");
        assertEquals(request.spanId(), command.parentSpanId(), "the command is published in the request's trace");
        // executor: the command's consumer span, a child of the producer span (the record's traceparent header)
        Span consumed = only(trace, s -> s.service().equals("runwire-executor") && s.kind().equals("CONSUMER"),
                "the executor's consumer span");
        assertEquals(command.spanId(), consumed.parentSpanId(), "the executor continues the command's trace");

        // each step under the command, each call under its step; the integration got the call's context
        List<Span> steps = named(trace, "run step");
        List<Stub.Received> calls = new java.util.ArrayList<>(stub.receivedUnder("/item/first"));
        calls.addAll(stub.receivedUnder("/item/next"));
        assertEquals(2, calls.size(), "two integration calls: " + calls);
        for (Span step : steps) {
            assertTrue(descendsFrom(step, consumed, byId), step + " descends from the command's consumer span");
            assertEquals(runId, step.attribute("runwire.run.id"));
            assertEquals(owner.id(), step.attribute("runwire.owner.id"));
            Span call = only(trace, s -> s.kind().equals("CLIENT") && s.parentSpanId().equals(step.spanId()),
                    "the call of " + step.attribute("runwire.step.id"));
            assertEquals("runwire-executor", call.service());
            assertEquals("GET", call.name());
            String sent = "00-" + traceId + "-" + call.spanId() + "-01";
            assertTrue(calls.stream().anyMatch(received -> sent.equals(received.header("traceparent"))),
                    "the integration received traceparent " + sent + ": "
                            + calls.stream().map(r -> r.header("traceparent")).toList());
        }

        // the events: produced by the executor in the run's trace, projected by the api under their producer spans
        List<Span> projected = named(trace, "project run event");
        for (Span projection : projected) {
            Span parent = byId.get(projection.parentSpanId());
            assertNotNull(parent, "the projection's parent is in the trace: " + projection);
            assertEquals("runwire-executor", parent.service());
            assertEquals("PRODUCER", parent.kind());
            assertEquals(runId, projection.attribute("runwire.run.id"));
        }
        assertTrue(
                projected.stream()
                        .anyMatch(s -> "RUN_SUCCEEDED".equals(s.attribute("runwire.event.type"))
                                || s.attribute("runwire.event.type").startsWith("RUN_")),
                "the run's end is projected: " + projected);

        // the callback's POST: under the projection of the event that caused it; the receiver got its context
        Span callback = only(trace, s -> s.service().equals("runwire-api") && s.kind().equals("CLIENT"),
                "the callback's POST");
        assertEquals("POST", callback.name());
        assertEquals("project run event", byId.get(callback.parentSpanId()).name());
        Stub.Received hook = stub.receivedUnder("/hook/trace").get(0);
        assertEquals("00-" + traceId + "-" + callback.spanId() + "-01", hook.header("traceparent"));

        // no attribute holds a secret: the key, the query, a header or a body
        for (Span span : trace) {
            span.attributes().forEach((key, value) -> {
                assertFalse(value.contains(owner.apiKey()), key + " of " + span.name() + " holds the API key");
                assertFalse(key.startsWith("http.request.header") || key.startsWith("http.response.header"),
                        key + " of " + span.name() + " is a header");
            });
            String query = span.attribute("url.query");
            assertTrue(query == null || query.equals("REDACTED"), "url.query of " + span.name() + ": " + query);
        }
        assertEquals(List.of(), receiver.refused, "every export was OTLP/HTTP protobuf");
    }

    /**
     * The executor's line about the run's end and the api's about its failed callback (an error line and a count) carry
     * the run, its owner and its trace.
     */
    @Test
    void logLinesAboutARunNameItsRunOwnerAndTrace() {
        double failedBefore = api.metric("runwire_callbacks_failed_total");
        String runId = as(api, owner.apiKey())
                .body(Map.of("key", "item", "userId", "u", "input", Map.of("id", "log"), "callbackUrl",
                        stub.baseUrl() + "/hook-down/log"))
                .post("/v1/actions/run").then().statusCode(200).extract().path("runId");
        Span request = Awaitility.await("the request's span").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> receiver.spans.stream()
                        .filter(s -> s.kind().equals("SERVER") && runId.equals(s.attribute("runwire.run.id")))
                        .findFirst().orElse(null), s -> s != null);
        String tagged = "run=" + runId + " owner=" + owner.id() + " trace=" + request.traceId();
        for (ServiceProcess service : List.of(api, executor)) {
            Awaitility.await(service.name + " logs a line about run " + runId).atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> service.logText().lines().anyMatch(line -> line.contains(tagged)
                            && line.contains(service == api ? "callback" : "ended SUCCESS")));
        }
        assertEquals(failedBefore + 1, api.metric("runwire_callbacks_failed_total"), "the failed callback is counted");
    }

    private static List<Span> named(List<Span> trace, String name) {
        return trace.stream().filter(s -> s.name().equals(name)).toList();
    }

    private static Span only(List<Span> trace, java.util.function.Predicate<Span> which, String what) {
        List<Span> found = trace.stream().filter(which).toList();
        assertEquals(1, found.size(), what + ": " + found);
        return found.get(0);
    }

    private static boolean descendsFrom(Span span, Span ancestor, Map<String, Span> byId) {
        for (Span at = byId.get(span.parentSpanId()); at != null; at = byId.get(at.parentSpanId())) {
            if (at.spanId().equals(ancestor.spanId())) {
                return true;
            }
        }
        return false;
    }

    /** The trace as a tree in start order, for the report. */
    private static void print(List<Span> trace, Map<String, Span> byId) {
        StringBuilder out = new StringBuilder("trace " + trace.get(0).traceId() + ", " + trace.size() + " spans:\n");
        long start = trace.stream().mapToLong(Span::startNanos).min().orElse(0);
        trace.stream().sorted(Comparator.comparingLong(Span::startNanos)).forEach(span -> {
            int depth = 0;
            for (Span at = byId.get(span.parentSpanId()); at != null; at = byId.get(at.parentSpanId())) {
                depth++;
            }
            out.append(String.format("%6.1f ms %-17s %-8s %s%s%s%n", (span.startNanos() - start) / 1e6, span.service(),
                    span.kind(), "  ".repeat(depth), span.name(),
                    span.attribute("runwire.step.id") != null ? " [step " + span.attribute("runwire.step.id") + "]"
                            : span.attribute("runwire.event.type") != null
                                    ? " [" + span.attribute("runwire.event.type") + "]" : ""));
        });
        System.out.println(out);
    }
}

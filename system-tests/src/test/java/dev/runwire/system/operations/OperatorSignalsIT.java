package dev.runwire.system.operations;

import static dev.runwire.system.support.SystemUnderTest.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SharedExecutor;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * What an operator reads: every Runwire metric of both services has a HELP text, latencies are histograms with buckets
 * (quantiles cannot be aggregated across replicas, buckets can), log lines carry the date, and the trace context
 * travels with tracing off.
 */
class OperatorSignalsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern DATED = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} ");

    @SharedApi
    static ServiceProcess api;
    @SharedExecutor
    static ServiceProcess executor;
    @NewStub
    static Stub stub;
    @NewOwner(actions = { "item" })
    static Owner owner;

    @BeforeAll
    static void oneRun() {
        stub.on("/item/", 200, "{\"id\":\"1\",\"price\":1}", 0);
        // one run through both services, so the run path's meters exist
        as(api, owner.apiKey()).body(Map.of("key", "item", "userId", "u", "input", Map.of("id", "1")))
                .post("/v1/actions/run").then().statusCode(200);
    }

    @Test
    void everyRunwireMetricHasAHelpText() throws Exception {
        for (ServiceProcess service : List.of(api, executor)) {
            String text = metrics(service);
            List<String> helps = text.lines().filter(line -> line.startsWith("# HELP runwire_")).toList();
            assertTrue(helps.size() >= 3, service.url() + " shows Runwire's metrics: " + helps);
            for (String help : helps) {
                String[] parts = help.split(" ", 4);
                assertTrue(parts.length == 4 && !parts[3].isBlank(), "a HELP text: " + help);
            }
        }
    }

    @Test
    void latenciesAreHistogramsWithBuckets() throws Exception {
        String executorMetrics = metrics(executor);
        assertTrue(executorMetrics.contains("runwire_integration_call_seconds_bucket{"),
                "the integration call timer has buckets");
        assertTrue(metrics(api).contains("http_server_requests_seconds_bucket{"), "HTTP latency has buckets");
    }

    @Test
    void logLinesCarryTheDate() {
        for (ServiceProcess service : List.of(api, executor)) {
            List<String> lines = service.logText().lines().filter(line -> line.contains(" INFO ")).limit(20).toList();
            assertTrue(!lines.isEmpty(), "the service logged");
            assertEquals(List.of(), lines.stream().filter(line -> !DATED.matcher(line).find()).toList(),
                    "log lines start with the date and time");
        }
    }

    /**
     * Tracing is off by default (no span recorded or exported, ADR 0041), yet the run's trace context reaches the
     * integration, not sampled, so its logs and Runwire's share the trace id.
     */
    @Test
    void withTracingOffTheIntegrationStillGetsTheTraceContext() {
        List<Stub.Received> calls = stub.receivedUnder("/item/");
        assertEquals(1, calls.size());
        String traceParent = calls.get(0).header("traceparent");
        assertTrue(traceParent != null && traceParent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00"),
                "an unsampled W3C traceparent: " + traceParent);
    }

    private static String metrics(ServiceProcess service) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.managementUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}

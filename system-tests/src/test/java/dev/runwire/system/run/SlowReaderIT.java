package dev.runwire.system.run;

import static dev.runwire.system.support.Plans.create;
import static dev.runwire.system.support.Plans.finished;
import static dev.runwire.system.support.Plans.runBody;
import static dev.runwire.system.support.Plans.step;
import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.SseClient;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * A reader that stops reading gets a bounded buffer: the api-service disconnects it instead of holding its events,
 * while a reader of the same run that keeps up gets everything, and the slow one resumes with Last-Event-ID without a
 * gap.
 */
class SlowReaderIT {

    /** Enough output to pass the kernel's socket buffers (up to 4 MB on loopback) before the service's bound. */
    static final int STEPS = 90;

    /**
     * The service's bound per reader: a few of this test's events, so a reader that keeps up is never cut off by a
     * moment's lag on a busy machine, while one that reads nothing passes it long before the run's ~7 MB are out.
     */
    static final String BOUND = "262144";

    @Test
    void aReaderThatStopsReadingIsDisconnectedAndResumes(@SharedTopics IsolatedTopics topics) throws Exception {
        try (Stub stub = new Stub(); ServiceProcess api = ServiceProcess
                .api("api-slowreader", topics.apiEnv(Map.of("RUNWIRE_SSE_MAX_BUFFERED_BYTES", BOUND))).start()) {
            // large outputs: with tool calls, every succeeded step is a ~80 KB event; together they are more than a
            // run's result may hold, so the run ends FAILED (result_too_large) with a small terminal event
            String big = "x".repeat(80_000);
            stub.on("/big/", 200, "{\"id\":\"" + big + "\",\"price\":1}", 50);
            Owner owner = owner(api);
            integration(api, owner.apiKey(), "stub", stub.baseUrl());
            action(api, owner.apiKey(), "big", "stub", "/big", 10_000);
            List<Map<String, Object>> steps = new ArrayList<>();
            for (int i = 0; i < STEPS; i++) {
                steps.add(step("s" + i, "big", i == 0 ? List.of() : List.of("s" + (i - 1)), Map.of("id", "b" + i)));
            }
            Map<String, Object> body = runBody(steps);
            body.put("approvalStrategy", "ON_START");
            String runId = create(api, owner.apiKey(), body);
            String path = "/v1/runs/" + runId + "/sse?includeToolCalls=true";

            try (Socket slow = new Socket()) {
                slow.setReceiveBufferSize(1024);
                // the connection may stay open after the response (keep-alive): silence means the end
                slow.setSoTimeout(3_000);
                slow.connect(new InetSocketAddress("127.0.0.1", api.port));
                OutputStream out = slow.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + owner.apiKey()
                        + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                approve(api, owner, runId);

                // a reader that keeps up, on the same run, gets every event while the slow one reads nothing
                SseClient.Stream fast = SseClient.read(api.url() + path, owner.apiKey(), null, Integer.MAX_VALUE,
                        Duration.ofSeconds(120));
                assertTrue(fast.ended());
                assertEquals(LongStream.rangeClosed(1, 2 + 2 * STEPS + 1).boxed().toList(),
                        fast.events().stream().map(SseClient.Event::id).toList());

                String received = drain(slow.getInputStream());
                assertFalse(received.contains("event: RUN_FAILED"), "the slow reader was cut off before the end");
                long last = lastId(received);
                SseClient.Stream rest = SseClient.read(api.url() + path, owner.apiKey(), String.valueOf(last),
                        Integer.MAX_VALUE, Duration.ofSeconds(60));
                assertTrue(rest.ended());
                assertEquals(last + 1, rest.events().get(0).id(), "resumes right after the last event it had");
                assertEquals(2 + 2 * STEPS + 1, rest.events().get(rest.events().size() - 1).id());
            }
            io.restassured.path.json.JsonPath run = finished(api, owner.apiKey(), runId);
            assertEquals("FAILED", run.getString("status"));
            assertEquals("result_too_large", run.getString("error.code"));
        }
    }

    private static void approve(ServiceProcess api, Owner owner, String runId) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> SystemUnderTest.as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true")
                        .then().extract().path("events[0].approval.approveToken") != null);
        String token = SystemUnderTest.as(api, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").then()
                .extract().path("events[0].approval.approveToken");
        SystemUnderTest.as(api, owner.apiKey()).get("/v1/runs/approval?token=" + token).then().statusCode(201);
    }

    /** Everything the socket still delivers until the server's close or reset. */
    private static String drain(InputStream in) {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // reset by the server, or silence: what arrived before counts
        }
        return text.toString();
    }

    private static long lastId(String stream) {
        Matcher ids = Pattern.compile("(?m)^id: (\\d+)$").matcher(stream);
        long last = 0;
        while (ids.find()) {
            last = Long.parseLong(ids.group(1));
        }
        return last;
    }
}

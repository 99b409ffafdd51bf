package dev.runwire.system.run;

import static dev.runwire.system.support.Plans.create;
import static dev.runwire.system.support.Plans.runBody;
import static dev.runwire.system.support.Plans.step;
import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.SseClient;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * The live stream of a run: every event once, in order, numbered by its sequence; resumable with Last-Event-ID with no
 * gap and no duplicate, on whichever api-service instance the reader reaches.
 */
class RunStreamIT {

    /** 99 steps: the run's start, a start and a success per step, and its end make 200 events. */
    static final int STEPS = 99;
    static final int EVENTS = 1 + 2 * STEPS + 1;
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @SharedApi
    static ServiceProcess api;
    @SharedTopics
    static IsolatedTopics topics;
    static ServiceProcess secondApi;
    @NewStub
    static Stub stub;
    @NewOwner
    static Owner owner;

    @BeforeAll
    static void setUp() {
        secondApi = ServiceProcess.api("api-second", topics.apiEnv(Map.of())).start();
        integration(api, owner.apiKey(), "stub", stub.baseUrl());
        action(api, owner.apiKey(), "item", "stub", "/sse", 20_000);
        action(api, owner.apiKey(), "slow", "stub", "/slow", 20_000);
        // steps finish over about a second, so most events are read live
        for (int i = 0; i < STEPS; i++) {
            stub.on("/sse/" + i + "-", 200, "{\"id\":\"" + i + "\",\"price\":" + i + "}",
                    ThreadLocalRandom.current().nextInt(50, 1_000));
        }
        stub.on("/slow/", 200, "{\"id\":\"s\",\"price\":0}", 4_000);
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        secondApi.stop();
    }

    static String bigRun(String tag) {
        List<Map<String, Object>> steps = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            steps.add(step("s" + i, "item", List.of(), Map.of("id", i + "-" + tag)));
        }
        return create(api, owner.apiKey(), runBody(steps));
    }

    static String url(ServiceProcess instance, String runId, String query) {
        return instance.url() + "/v1/runs/" + runId + "/sse" + query;
    }

    @Test
    void everyEventArrivesOnceInOrderAndTheStreamEnds() throws Exception {
        String runId = bigRun("all");
        SseClient.Stream stream = SseClient.read(url(api, runId, ""), owner.apiKey(), null, Integer.MAX_VALUE, TIMEOUT);
        assertTrue(stream.ended(), "the stream ends after the terminal event");
        assertEquals(LongStream.rangeClosed(1, EVENTS).boxed().toList(),
                stream.events().stream().map(SseClient.Event::id).toList());
        assertEquals("RUN_STARTED", stream.events().get(0).type());
        assertEquals("RUN_SUCCEEDED", stream.events().get(EVENTS - 1).type());
        // without includeToolCalls, a step event carries its description, not its input or output
        SseClient.Event started = stream.events().stream().filter(e -> "STEP_STARTED".equals(e.type())).findFirst()
                .orElseThrow();
        assertTrue(started.data().contains("\"description\""));
        assertFalse(started.data().contains("\"input\""), started.data());
    }

    @Test
    void aReaderThatHangsUpResumesOnAnotherInstanceWithNoGapAndNoDuplicate() throws Exception {
        String runId = bigRun("resume");
        int cut = ThreadLocalRandom.current().nextInt(1, EVENTS);
        SseClient.Stream first = SseClient.read(url(api, runId, "?includeToolCalls=true"), owner.apiKey(), null, cut,
                TIMEOUT);
        assertEquals(cut, first.events().size());
        long last = first.events().get(cut - 1).id();
        SseClient.Stream rest = SseClient.read(url(secondApi, runId, "?includeToolCalls=true"), owner.apiKey(),
                String.valueOf(last), Integer.MAX_VALUE, TIMEOUT);
        assertTrue(rest.ended());
        List<Long> union = new ArrayList<>();
        first.events().forEach(e -> union.add(e.id()));
        rest.events().forEach(e -> union.add(e.id()));
        assertEquals(LongStream.rangeClosed(1, EVENTS).boxed().toList(), union, "cut after event " + cut);
        // the first step start, in whichever part of the stream it came
        SseClient.Event started = java.util.stream.Stream.concat(first.events().stream(), rest.events().stream())
                .filter(e -> "STEP_STARTED".equals(e.type())).findFirst().orElseThrow();
        assertTrue(started.data().contains("\"input\""), "includeToolCalls=true shows the input: " + started.data());
        // a finished run replays from the store, also by query parameter, on either instance
        SseClient.Stream replay = SseClient.read(url(secondApi, runId, "?lastEventId=" + (EVENTS - 3)), owner.apiKey(),
                null, Integer.MAX_VALUE, TIMEOUT);
        assertEquals(List.of((long) EVENTS - 2, (long) EVENTS - 1, (long) EVENTS),
                replay.events().stream().map(SseClient.Event::id).toList());
    }

    /**
     * Many readers of one run on two instances, some from the start and some resuming at a random event while the run
     * goes on: each gets exactly the events after its position, in order, and its stream ends. On one instance they
     * share event loops, so one write per loop serves several of them.
     */
    @Test
    void manyReadersOfOneRunEachGetEveryEventOnceInOrder() throws Exception {
        int readers = 30;
        String runId = bigRun("many");
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        try {
            List<Future<SseClient.Stream>> streams = new ArrayList<>();
            List<Long> from = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                ServiceProcess instance = r % 3 == 2 ? secondApi : api;
                long after = r % 2 == 0 ? 0 : ThreadLocalRandom.current().nextLong(1, EVENTS);
                from.add(after);
                streams.add(pool.submit(() -> SseClient.read(url(instance, runId, ""), owner.apiKey(),
                        after == 0 ? null : String.valueOf(after), Integer.MAX_VALUE, TIMEOUT)));
            }
            for (int r = 0; r < readers; r++) {
                SseClient.Stream stream = streams.get(r).get();
                assertTrue(stream.ended(), "reader " + r + " after " + from.get(r) + ": the stream ended");
                assertEquals(LongStream.rangeClosed(from.get(r) + 1, EVENTS).boxed().toList(),
                        stream.events().stream().map(SseClient.Event::id).toList(),
                        "reader " + r + " after " + from.get(r));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A replica just started: its broadcast consumer may not have its partitions yet when a run is created and its
     * stream opened. The run's events published before that must still reach the stream, and the stream must end.
     */
    @Test
    void aStreamOnAFreshlyStartedReplicaSeesEveryEventAndEnds() throws Exception {
        try (ServiceProcess fresh = ServiceProcess.api("api-fresh", topics.apiEnv(Map.of())).start()) {
            String runId = create(fresh, owner.apiKey(),
                    runBody(List.of(step("S", "item", List.of(), Map.of("id", "1-fresh")))));
            SseClient.Stream stream = SseClient.read(url(fresh, runId, ""), owner.apiKey(), null, Integer.MAX_VALUE,
                    TIMEOUT);
            assertTrue(stream.ended(), "the stream ended: " + stream.events());
            assertEquals(List.of(1L, 2L, 3L, 4L), stream.events().stream().map(SseClient.Event::id).toList());
        }
    }

    /**
     * The bytes on the wire: over HTTP/1.1 every frame is a well-formed chunk (the frames are written as ready-made
     * chunks straight to the connection), live and replayed alike, and the body ends with the last chunk; an HTTP/1.0
     * client, which knows no chunks, gets the same frames as a plain body ended by the close.
     */
    @Test
    void theStreamIsWellFramedOverHttp11AndHttp10() throws Exception {
        String runId = create(api, owner.apiKey(), runBody(List.of(step("A", "item", List.of(), Map.of("id", "1-wire")),
                step("B", "item", List.of("A"), Map.of("id", "2-wire")))));
        // opened at once, so most of the run's events are live ones
        String chunked = new String(
                RawHttp.dechunk(RawHttp.get(api.port, "/v1/runs/" + runId + "/sse", "HTTP/1.1", owner.apiKey())),
                StandardCharsets.UTF_8);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), ids(chunked), chunked);
        assertTrue(chunked.contains("event: RUN_SUCCEEDED"), chunked);

        byte[] plain = RawHttp.get(api.port, "/v1/runs/" + runId + "/sse", "HTTP/1.0", owner.apiKey());
        String head = new String(plain, StandardCharsets.ISO_8859_1);
        assertTrue(head.startsWith("HTTP/1.0 200"), head);
        assertFalse(head.toLowerCase().contains("transfer-encoding"), head);
        String body = head.substring(head.indexOf("\r\n\r\n") + 4);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), ids(body), body);
    }

    private static List<Long> ids(String stream) {
        List<Long> ids = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^id: (\\d+)$").matcher(stream);
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }

    /** A client that shows the response's bytes as they are, chunk framing included. */
    static final class RawHttp {

        /** The whole response, head and body, read until the server closes or its body ends. */
        static byte[] get(int port, String path, String version, String apiKey) throws Exception {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                socket.setSoTimeout((int) TIMEOUT.toMillis());
                socket.getOutputStream().write(("GET " + path + " " + version + "\r\nHost: 127.0.0.1\r\nx-api-key: "
                        + apiKey + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                java.io.InputStream in = socket.getInputStream();
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    all.write(buffer, 0, n);
                    // HTTP/1.1 keeps the connection open after the last chunk
                    if (version.equals("HTTP/1.1") && endsWithLastChunk(all.toByteArray())) {
                        break;
                    }
                }
                return all.toByteArray();
            }
        }

        private static boolean endsWithLastChunk(byte[] bytes) {
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            return text.endsWith("\r\n0\r\n\r\n");
        }

        /** The body of a chunked response, every chunk checked: a hex size line, that many bytes, CRLF. */
        static byte[] dechunk(byte[] response) {
            String text = new String(response, StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("HTTP/1.1 200"), text);
            assertTrue(text.substring(0, text.indexOf("\r\n\r\n")).toLowerCase().contains("transfer-encoding: chunked"),
                    text);
            int at = text.indexOf("\r\n\r\n") + 4;
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            while (true) {
                int lineEnd = text.indexOf("\r\n", at);
                assertTrue(lineEnd > at, "a chunk size line at " + at + ": " + text.substring(at));
                int size = Integer.parseInt(text.substring(at, lineEnd), 16);
                at = lineEnd + 2;
                if (size == 0) {
                    assertEquals("\r\n", text.substring(at), "the body ends after the last chunk");
                    return body.toByteArray();
                }
                body.write(response, at, size);
                at += size;
                assertEquals("\r\n", text.substring(at, at + 2), "CRLF after a chunk's " + size + " bytes");
                at += 2;
            }
        }
    }

    @Test
    void anIdleStreamGetsHeartbeats() throws Exception {
        String runId = create(api, owner.apiKey(), runBody(List.of(step("S", "slow", List.of(), Map.of("id", "hb")))));
        SseClient.Stream stream = SseClient.read(url(api, runId, ""), owner.apiKey(), null, Integer.MAX_VALUE, TIMEOUT);
        assertTrue(stream.ended());
        assertTrue(stream.comments() >= 2, "heartbeats while the 4 s call ran: " + stream.comments());
        assertEquals(4, stream.events().size());
    }

    @Test
    void badRequestsAreClearErrors() throws Exception {
        String runId = create(api, owner.apiKey(), runBody(List.of(step("S", "item", List.of(), Map.of("id", "0-x")))));
        SseClient.Stream badId = SseClient.read(url(api, runId, "?lastEventId=abc"), owner.apiKey(), null, 1, TIMEOUT);
        assertEquals(400, badId.status());
        assertTrue(badId.errorBody().contains("lastEventId"), badId.errorBody());
        assertEquals(400,
                SseClient.read(url(api, runId, "?includeToolCalls=maybe"), owner.apiKey(), null, 1, TIMEOUT).status());
        assertEquals(401, SseClient.read(url(api, runId, ""), null, null, 1, TIMEOUT).status());
        assertEquals(401, SseClient.read(url(api, runId, ""), "rw_wrong", null, 1, TIMEOUT).status());
        Owner other = owner(api);
        SseClient.Stream foreign = SseClient.read(url(api, runId, ""), other.apiKey(), null, 1, TIMEOUT);
        assertEquals(404, foreign.status());
        assertTrue(foreign.errorBody().contains("\"errors\""), foreign.errorBody());
        assertEquals(404, SseClient.read(url(api, "nope", ""), owner.apiKey(), null, 1, TIMEOUT).status());
        as(api, owner.apiKey()).get("/v1/runs/" + runId).then().statusCode(200);
    }
}

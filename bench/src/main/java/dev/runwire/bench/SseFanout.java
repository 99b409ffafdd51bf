package dev.runwire.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;

/**
 * SSE fan-out: many readers on one api-service while runs execute. Runs are created paused (ON_START), every reader
 * connects, the heap is read after a full GC, then all runs are approved at once; each live event's delay is the time
 * from its creation in the executor ({@code at}) to its arrival at a reader. Every reader's stream is checked: ids one
 * after another from 1, ending with its run's last event. See README.md.
 */
final class SseFanout {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String apiUrl = env("RUNWIRE_URL", "http://127.0.0.1:8080");
    /** Metrics are on the api-service's management port (ADR 0040). */
    private final String apiManagementUrl = env("RUNWIRE_API_MANAGEMENT_URL", "http://127.0.0.1:9080");
    private final String executorManagementUrl = env("RUNWIRE_EXECUTOR_MANAGEMENT_URL", "http://127.0.0.1:9081");
    private final String adminToken = env("RUNWIRE_ADMIN_TOKEN", null);
    /** {@code nio} (the default): readers on plain NIO selectors; {@code vertx}: Vert.x's HTTP client. */
    private final boolean nioReaders = !"vertx".equals(env("SSE_READER", "nio"));
    /** The readers' threads (NIO selectors or Vert.x event loops). */
    private final int readerThreads = Integer.parseInt(env("SSE_READER_THREADS", "2"));
    private final int subscribers = Integer.parseInt(env("SSE_SUBSCRIBERS", "5000"));
    private final int runs = Integer.parseInt(env("SSE_RUNS", "50"));
    private final int steps = Integer.parseInt(env("SSE_STEPS", "20"));
    private final int stepMillis = Integer.parseInt(env("SSE_STEP_MILLIS", "300"));
    private final double targetP99Millis = 500;
    private final double targetHeapPerReader = 20 * 1024;
    /** /proc counts CPU time in ticks of 10 ms (CLK_TCK 100 on Linux). */
    private static final double TICK_MILLIS = 10;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(10)).build();
    private final Api api = new Api(apiUrl, http);

    void run() throws Exception {
        HttpServer stub = Api.stub("/slow/", stepMillis, 256);
        String apiKey = register("http://127.0.0.1:" + stub.getAddress().getPort());
        List<String> runIds = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            runIds.add(createRun(apiKey, r));
        }
        List<String> approveTokens = new ArrayList<>();
        for (String runId : runIds) {
            approveTokens.add(approveToken(apiKey, runId));
        }
        double heapBefore = heapAfterGc();

        Latencies delays = new Latencies(20_000_000);
        CountDownLatch connected = new CountDownLatch(subscribers);
        CountDownLatch ended = new CountDownLatch(subscribers);
        Tally tally = new Tally(delays, System.currentTimeMillis(), connected, ended);
        Reader[] streams = new Reader[subscribers];
        URI api = URI.create(apiUrl);
        AutoCloseable readers = nioReaders ? openNio(api, apiKey, runIds, streams, tally)
                : openVertx(api, apiKey, runIds, streams, tally);
        boolean allConnected = connected.await(120, TimeUnit.SECONDS);
        Thread.sleep(2_000);
        double heapAfter = heapAfterGc();

        long apiPid = pid("api-service");
        long executorPid = pid("executor-service");
        long benchPid = ProcessHandle.current().pid();
        long[] apiTicks = Counters.userSystemTicks(apiPid);
        long[] executorTicks = Counters.userSystemTicks(executorPid);
        long[] benchTicks = Counters.userSystemTicks(benchPid);
        Map<String, Double> metricsBefore = delayMetrics();
        delays.start();
        Instant windowStart = Instant.now();
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<Void>>> approvals = new ArrayList<>();
        for (String token : approveTokens) {
            approvals.add(http.sendAsync(HttpRequest.newBuilder(URI.create(apiUrl + "/v1/runs/approval?token=" + token))
                    .header("x-api-key", apiKey).build(), HttpResponse.BodyHandlers.discarding()));
        }
        CompletableFuture.allOf(approvals.toArray(CompletableFuture[]::new)).join();
        boolean allEnded = ended.await(10L * steps * stepMillis / 1000 + 120, TimeUnit.SECONDS);
        delays.stop();
        double seconds = (System.nanoTime() - start) / 1e9;
        apiTicks = minus(Counters.userSystemTicks(apiPid), apiTicks);
        executorTicks = minus(Counters.userSystemTicks(executorPid), executorTicks);
        benchTicks = minus(Counters.userSystemTicks(benchPid), benchTicks);
        Map<String, Double> metricsAfter = delayMetrics();
        stub.stop(0);
        readers.close();
        int complete = complete(apiKey, runIds, streams);

        Latencies.Figures f = delays.figures("SSE event delay");
        long delivered = tally.delivered.sum();
        System.out.printf(
                "%nSSE fan-out: %d readers on %d runs (%d steps of %d ms each), one api-service; readers: %s%n",
                subscribers, runs, steps, stepMillis,
                nioReaders ? "NIO (SSE_READER=nio)" : "Vert.x HTTP client " + "(SSE_READER=vertx)");
        // to line a profile of the services (JFR) up with the window
        System.out.printf("live window: %s to %s%n", windowStart, windowStart.plusNanos((long) (seconds * 1e9)));
        System.out.printf("connected: %s, failed streams: %d, all ended: %s%n", allConnected, tally.failed.get(),
                allEnded);
        System.out.printf("readers that received every event of their run, in order, once: %d of %d (%s)%n", complete,
                subscribers, complete == subscribers ? "all" : "NOT all");
        System.out.printf("live events delivered: %d in %.1f s (%.0f/s)%n", delivered, seconds, delivered / seconds);
        System.out.printf(
                "delay from event to reader: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms, mean %.1f ms "
                        + "(target p99 <= %.0f ms: %s)%n",
                f.p50(), f.p90(), f.p99(), f.max(), delays.mean(), targetP99Millis,
                f.p99() <= targetP99Millis ? "met" : "missed");
        // where the delay is: the executor's (creation to the broker's ack) and the feed's (creation to the replica's
        // broadcast consumer), means over the live window from the services' own timers; the rest is the fan-out
        System.out.printf(
                "delay split (means in the window): executor, creation to broker ack %.1f ms; api-service feed, "
                        + "creation to broadcast consumer %.1f ms; fan-out and reader, the rest of %.1f ms%n",
                mean(metricsBefore, metricsAfter, "runwire_executor_event_delay_seconds"),
                mean(metricsBefore, metricsAfter, "runwire_feed_delay_seconds"), delays.mean());
        // CPU in the live window, per 1,000 events delivered to readers: stable on a busy machine where delays are not
        double thousands = Math.max(1, delivered) / 1000.0;
        System.out.printf(
                "CPU in the live window (ms per 1,000 events delivered, user + system): api-service %s, "
                        + "executor-service %s, readers (this process) %s; api-service busy %.0f %% of a core%n",
                cpu(apiTicks, thousands), cpu(executorTicks, thousands), cpu(benchTicks, thousands),
                100 * (apiTicks[0] + apiTicks[1]) * TICK_MILLIS / 1000 / seconds);
        double perReader = (heapAfter - heapBefore) / subscribers;
        System.out.printf(
                "api-service heap after a full GC: %.1f MiB before, %.1f MiB with the readers connected: %.1f KiB per "
                        + "reader (target <= %.0f KiB: %s)%n",
                heapBefore / 1048576, heapAfter / 1048576, perReader / 1024, targetHeapPerReader / 1024,
                perReader <= targetHeapPerReader ? "met" : "missed");
    }

    private static long[] minus(long[] to, long[] from) {
        return new long[] { to[0] - from[0], to[1] - from[1] };
    }

    /** "total (user + system)" in ms per 1,000 events. */
    private static String cpu(long[] ticks, double thousands) {
        return String.format("%.1f (%.1f + %.1f)", (ticks[0] + ticks[1]) * TICK_MILLIS / thousands,
                ticks[0] * TICK_MILLIS / thousands, ticks[1] * TICK_MILLIS / thousands);
    }

    /** The readers on plain NIO selectors (the default): the harness's own cost kept low. */
    private AutoCloseable openNio(URI api, String apiKey, List<String> runIds, Reader[] streams, Tally tally)
            throws Exception {
        NioSseReaders readers = new NioSseReaders(readerThreads, new InetSocketAddress(api.getHost(), api.getPort()),
                tally);
        for (int s = 0; s < subscribers; s++) {
            String runId = runIds.get(s % runs);
            Reader reader = streams[s] = new Reader(runId);
            readers.open(s, reader, "/v1/runs/" + runId + "/sse", apiKey);
        }
        return readers;
    }

    /** The readers on Vert.x's HTTP client, as the benchmark had them first (SSE_READER=vertx). */
    private AutoCloseable openVertx(URI api, String apiKey, List<String> runIds, Reader[] streams, Tally tally) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(readerThreads));
        io.vertx.core.http.HttpClient readers = vertx.createHttpClient(
                new HttpClientOptions().setMaxPoolSize(subscribers + 10).setKeepAlive(false).setIdleTimeout(0));
        for (int s = 0; s < subscribers; s++) {
            String runId = runIds.get(s % runs);
            Reader reader = streams[s] = new Reader(runId);
            readers.request(new RequestOptions().setHost(api.getHost()).setPort(api.getPort())
                    .setURI("/v1/runs/" + runId + "/sse").addHeader("x-api-key", apiKey)
                    .addHeader("Accept", "text/event-stream")).compose(request -> request.send())
                    .onSuccess(response -> {
                        if (response.statusCode() != 200) {
                            tally.opened(reader, false);
                            return;
                        }
                        tally.opened(reader, true);
                        RecordParser lines = RecordParser.newDelimited("\n",
                                line -> onLine(reader, line.toString(), tally));
                        response.handler(lines);
                        response.endHandler(done -> tally.ended(reader));
                        response.exceptionHandler(e -> tally.failed(reader));
                    }).onFailure(e -> tally.failed(reader));
        }
        return vertx::close;
    }

    /** One reader's stream as received: each id must be the one after the last. Touched by one thread at a time. */
    private static final class Reader {
        final String runId;
        long lastId;
        int events;
        boolean outOfOrder;
        boolean opened;
        boolean finished;
        volatile boolean ended;

        Reader(String runId) {
            this.runId = runId;
        }
    }

    /**
     * Every reader's stream checked and timed, whichever client reads it: ids one after another, a live event's delay
     * as its arrival minus its creation ({@code "at"}).
     */
    private static final class Tally implements NioSseReaders.Listener<Reader> {
        final Latencies delays;
        final long subscribedAt;
        final CountDownLatch connected;
        final CountDownLatch ended;
        final LongAdder delivered = new LongAdder();
        final AtomicInteger failed = new AtomicInteger();

        Tally(Latencies delays, long subscribedAt, CountDownLatch connected, CountDownLatch ended) {
            this.delays = delays;
            this.subscribedAt = subscribedAt;
            this.connected = connected;
            this.ended = ended;
        }

        @Override
        public void opened(Reader reader, boolean ok) {
            reader.opened = true;
            connected.countDown();
            if (!ok) {
                failed(reader);
            }
        }

        @Override
        public void id(Reader reader, long id) {
            if (id != reader.lastId + 1) {
                reader.outOfOrder = true;
            }
            reader.lastId = id;
            reader.events++;
        }

        @Override
        public void data(Reader reader, long created, long now) {
            if (created < 0) {
                delays.error();
            } else if (created >= subscribedAt) {
                delays.record((now - created) * 1_000_000L);
                delivered.increment();
            }
        }

        @Override
        public void ended(Reader reader) {
            if (!reader.finished) {
                reader.finished = true;
                reader.ended = true;
                ended.countDown();
            }
        }

        @Override
        public void failed(Reader reader) {
            if (!reader.opened) {
                reader.opened = true;
                connected.countDown();
            }
            if (!reader.finished) {
                reader.finished = true;
                failed.incrementAndGet();
                ended.countDown();
            }
        }
    }

    private static final Set<String> TERMINAL = Set.of("SUCCESS", "PARTIAL_SUCCESS", "NO_SUCCESS", "FAILED",
            "CANCELED");

    private static boolean sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How many readers got every event of their run exactly once and in order, and the stream's end after it. */
    private int complete(String apiKey, List<String> runIds, Reader[] streams) throws Exception {
        Map<String, Integer> eventsOfRun = new HashMap<>();
        for (String runId : runIds) {
            // the streams end with the broadcast; the read model stores the end a little later: count once it has it
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            JsonNode run;
            do {
                run = api.send(api.get("/v1/runs/" + runId + "?includeEvents=true").header("x-api-key", apiKey), 200);
            } while (!TERMINAL.contains(run.path("status").asText()) && System.nanoTime() < until
                    && sleep(Duration.ofMillis(100)));
            eventsOfRun.put(runId, run.path("events").size());
        }
        int complete = 0;
        for (Reader reader : streams) {
            if (reader != null && reader.ended && !reader.outOfOrder && reader.events == eventsOfRun.get(reader.runId)
                    && reader.lastId == reader.events) {
                complete++;
            }
        }
        return complete;
    }

    /** A line of a stream read by the Vert.x client. */
    private static void onLine(Reader reader, String line, Tally tally) {
        if (line.startsWith("id:")) {
            tally.id(reader, Long.parseLong(line.substring(3).trim()));
            return;
        }
        if (!line.startsWith("data:")) {
            return;
        }
        long now = System.currentTimeMillis();
        int at = line.indexOf("\"at\":\"");
        tally.data(reader,
                at < 0 ? -1 : Instant.parse(line.substring(at + 6, line.indexOf('"', at + 6))).toEpochMilli(), now);
    }

    /** The sums and counts of the services' delay timers, to take their means over the window. */
    private Map<String, Double> delayMetrics() {
        Map<String, Double> values = new HashMap<>();
        for (String url : List.of(apiManagementUrl, executorManagementUrl)) {
            try {
                String metrics = http.send(
                        HttpRequest.newBuilder(URI.create(url + "/q/metrics")).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                metrics.lines().filter(l -> l.startsWith("runwire_feed_delay_seconds_")
                        || l.startsWith("runwire_executor_event_delay_seconds_")).forEach(l -> {
                            String name = l.substring(0, l.indexOf('{') > 0 ? l.indexOf('{') : l.indexOf(' '));
                            values.merge(name, Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)), Double::sum);
                        });
            } catch (Exception e) {
                // a service's metrics unreadable: its mean is shown as NaN
            }
        }
        return values;
    }

    /** A timer's mean over the window, in ms. */
    private static double mean(Map<String, Double> before, Map<String, Double> after, String timer) {
        double count = after.getOrDefault(timer + "_count", Double.NaN)
                - before.getOrDefault(timer + "_count", Double.NaN);
        double sum = after.getOrDefault(timer + "_sum", Double.NaN) - before.getOrDefault(timer + "_sum", Double.NaN);
        return count > 0 ? 1000 * sum / count : Double.NaN;
    }

    private String createRun(String apiKey, int r) throws Exception {
        StringBuilder plan = new StringBuilder();
        for (int i = 0; i < steps; i++) {
            plan.append(i == 0 ? "" : ",").append("{\"id\":\"s").append(i).append("\",\"description\":\"step ")
                    .append(i).append("\",\"dependsOnSteps\":[").append(i == 0 ? "" : "\"s" + (i - 1) + "\"")
                    .append("],\"action\":{\"key\":\"fanout_item\"},\"input\":{\"id\":\"r").append(r).append('-')
                    .append(i).append("\"}}");
        }
        String body = "{\"intent\":\"fan-out\",\"selectedCustomerIntegrationIds\":[\"*\"],\"context\":\"\","
                + "\"userId\":\"bench\",\"approvalStrategy\":\"ON_START\",\"plan\":{\"description\":\"chain\","
                + "\"steps\":[" + plan + "]}}";
        return api.send(api.post("/v1/runs", body).header("x-api-key", apiKey), 201).get("runId").asText();
    }

    private String approveToken(String apiKey, String runId) throws Exception {
        for (int attempt = 0; attempt < 300; attempt++) {
            JsonNode run = api.send(api.get("/v1/runs/" + runId + "?includeEvents=true").header("x-api-key", apiKey),
                    200);
            JsonNode token = run.path("events").path(0).path("approval").path("approveToken");
            if (token.isTextual()) {
                return token.asText();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("run " + runId + " never asked for approval");
    }

    private static long pid(String service) throws Exception {
        return Long.parseLong(Files.readString(Path.of(env("RUNWIRE_STATE", ".runwire"), service + ".pid")).trim());
    }

    /**
     * The api-service's heap in use after a full GC ({@code jcmd GC.run} on its pid from the state directory), so the
     * difference is what the readers hold, not garbage that happened to be uncollected.
     */
    private double heapAfterGc() throws Exception {
        long pid = pid("api-service");
        Process gc = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " GC.run failed");
        }
        String metrics = http.send(HttpRequest.newBuilder(URI.create(apiManagementUrl + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).reduce(0.0, Double::sum);
    }

    private String register(String stubUrl) throws Exception {
        return api.register(adminToken, "bench-sse", "fanout-stub", stubUrl, 0, """
                {"key":"fanout_item","intent":"Get an item slowly",
                 "inputSchema":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]},
                 "useDefaultMapping":true,"type":"http",
                 "http":{"integrationKey":"fanout-stub","method":"GET","path":"/slow/{id}"},"timeoutMs":10000}""");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}

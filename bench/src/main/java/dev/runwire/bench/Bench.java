package dev.runwire.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * Measures end-to-end synchronous action runs and, in the same run and at the same concurrency, the bare pieces they
 * are made of: the integration stub alone and a bare Kafka request/reply round trip. Each result is then also a ratio,
 * which survives a noisy machine. See README.md.
 */
public final class Bench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String apiUrl = env("RUNWIRE_URL", "http://127.0.0.1:8080");
    private final String adminToken = env("RUNWIRE_ADMIN_TOKEN", null);
    private final String kafka = env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092");
    private final int concurrency = Integer.parseInt(env("BENCH_CONCURRENCY", "32"));
    private final int warmupSeconds = Integer.parseInt(env("BENCH_WARMUP_SECONDS", "30"));
    private final int seconds = Integer.parseInt(env("BENCH_SECONDS", "20"));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
    private final Api api = new Api(apiUrl, http);

    /**
     * {@code sync} (the default): synchronous action runs and their ceilings; {@code sse}: SSE fan-out;
     * {@code callbacks}: callback deliveries against the receiver's own ceiling.
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("sse")) {
            new SseFanout().run();
        } else if (args.length > 0 && args[0].equals("callbacks")) {
            new CallbackThroughput().run();
        } else {
            new Bench().run();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        HttpServer stub = Api.stub("/items/", 0, 8);
        String stubUrl = "http://127.0.0.1:" + stub.getAddress().getPort();
        List<Latencies.Figures> figures = new ArrayList<>();

        figures.add(
                measure("bare integration (GET stub)", concurrency, seconds, i -> timedGet(stubUrl + "/items/" + i)));
        try (KafkaRoundTrip roundTrip = new KafkaRoundTrip(kafka)) {
            figures.add(measure("bare Kafka round trip", concurrency, seconds, i -> roundTrip.send()));
        }
        String apiKey = register(stubUrl);
        Function<Long, CompletableFuture<Boolean>> runAction = i -> runAction(apiKey, i);
        figures.add(measure("end-to-end sync action run", concurrency, seconds, runAction));
        figures.add(measure("end-to-end, 1 in flight", 1, Math.max(5, seconds / 4), runAction));
        stub.stop(0);
        report(figures);
    }

    private Latencies.Figures measure(String name, int workers, int windowSeconds,
            Function<Long, CompletableFuture<Boolean>> call) throws InterruptedException {
        return measure(name, workers, warmupSeconds, windowSeconds, call);
    }

    /** Closed loop: {@code workers} callers, each sending the next request when its last one answered. */
    static Latencies.Figures measure(String name, int workers, int warmupSeconds, int windowSeconds,
            Function<Long, CompletableFuture<Boolean>> call) throws InterruptedException {
        Latencies latencies = new Latencies(4_000_000);
        AtomicLong sequence = new AtomicLong();
        long end = System.nanoTime() + (warmupSeconds + windowSeconds) * 1_000_000_000L;
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop(call, sequence, latencies, end, done);
            loops.add(done);
        }
        Thread.sleep(warmupSeconds * 1000L);
        latencies.start();
        Thread.sleep(windowSeconds * 1000L);
        latencies.stop();
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new))
                .orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> null).join();
        Latencies.Figures figures = latencies.figures(name);
        System.out.println("measured: " + figures.row());
        return figures;
    }

    private static void loop(Function<Long, CompletableFuture<Boolean>> call, AtomicLong sequence, Latencies latencies,
            long end, CompletableFuture<Void> done) {
        if (System.nanoTime() >= end) {
            done.complete(null);
            return;
        }
        long start = System.nanoTime();
        call.apply(sequence.incrementAndGet()).whenComplete((ok, failure) -> {
            if (failure == null && Boolean.TRUE.equals(ok)) {
                latencies.record(System.nanoTime() - start);
            } else {
                latencies.error();
            }
            loop(call, sequence, latencies, end, done);
        });
    }

    private CompletableFuture<Boolean> timedGet(String url) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).thenApply(r -> r.statusCode() == 200);
    }

    private CompletableFuture<Boolean> runAction(String apiKey, long i) {
        String id = "i" + i;
        String body = "{\"key\":\"bench_get_item\",\"userId\":\"bench\",\"input\":{\"id\":\"" + id + "\"}}";
        return http.sendAsync(api.post("/v1/actions/run", body).header("x-api-key", apiKey).build(),
                HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                    if (r.statusCode() != 200) {
                        return false;
                    }
                    try {
                        return id.equals(JSON.readTree(r.body()).path("output").path("id").asText());
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    private String register(String stubUrl) throws Exception {
        return api.register(adminToken, "bench", "bench-stub", stubUrl,
                """
                        {"key":"bench_get_item","intent":"Get an item",
                         "inputSchema":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]},
                         "outputSchema":{"type":"object","properties":{"id":{"type":"string"},"price":{"type":"number"}},"required":["id","price"]},
                         "useDefaultMapping":true,"type":"http",
                         "http":{"integrationKey":"bench-stub","method":"GET","path":"/items/{id}"},"timeoutMs":5000}""");
    }

    private void report(List<Latencies.Figures> figures) throws IOException {
        Latencies.Figures integration = figures.get(0);
        Latencies.Figures kafkaTrip = figures.get(1);
        Latencies.Figures e2e = figures.get(2);
        Latencies.Figures single = figures.get(3);
        StringBuilder out = new StringBuilder();
        out.append(String.format("%nconcurrency %d, warm-up %d s, window %d s%n", concurrency, warmupSeconds, seconds));
        out.append(String.format("%-34s %9s %10s %8s %8s %8s %8s %7s%n", "", "requests", "req/s", "p50 ms", "p90 ms",
                "p99 ms", "max ms", "errors"));
        figures.forEach(f -> out.append(f.row()).append('\n'));
        double throughputRatio = e2e.perSecond() / kafkaTrip.perSecond();
        double p99Ratio = e2e.p99() / kafkaTrip.p99();
        out.append(String.format("%ne2e / bare Kafka round trip throughput: %5.1f %%  (target >= 15 %%: %s)%n",
                100 * throughputRatio, throughputRatio >= 0.15 ? "met" : "missed"));
        out.append(String.format("e2e p99 / bare Kafka round trip p99:    %5.1f x  (target <= 5 x: %s)%n", p99Ratio,
                p99Ratio <= 5 ? "met" : "missed"));
        out.append(String.format("e2e / bare integration throughput:      %5.1f %%%n",
                100 * e2e.perSecond() / integration.perSecond()));
        out.append(String.format("single request p50:                     %5.2f ms (target <= 5 ms: %s)%n",
                single.p50(), single.p50() <= 5 ? "met" : "missed"));
        System.out.print(out);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("concurrency", concurrency);
        json.put("warmupSeconds", warmupSeconds);
        json.put("seconds", seconds);
        json.put("results", figures);
        json.put("e2eOverKafkaThroughput", throughputRatio);
        json.put("e2eOverKafkaP99", p99Ratio);
        Path file = Path.of("bench/target/bench-result.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}

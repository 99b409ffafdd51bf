package dev.runwire.bench;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * Callback delivery throughput against the receiver's own ceiling, in one run. The receiver (a JDK HTTP server on
 * 127.0.0.1) is first loaded directly by a closed loop of POSTs of a callback-sized body: its bare throughput. Then
 * {@code BENCH_CALLBACKS} asynchronous runs with a callback URL are run and delivered; every one of their deliveries is
 * then redelivered at once, and the rate at which the api-service drains that backlog into the receiver is the delivery
 * throughput (the run pipeline's own speed is measured by the sync benchmark, not here). The delay of each redelivery,
 * from its request to its arrival, gives p50/p99. See README.md.
 */
final class CallbackThroughput {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String apiUrl = Bench.env("RUNWIRE_URL", "http://127.0.0.1:8080");
    private final String adminToken = Bench.env("RUNWIRE_ADMIN_TOKEN", null);
    private final int concurrency = Integer.parseInt(Bench.env("BENCH_CONCURRENCY", "32"));
    private final int callbacks = Integer.parseInt(Bench.env("BENCH_CALLBACKS", "2000"));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
    private final Api api = new Api(apiUrl, http);

    /** Arrivals at the receiver's callback path: webhook-id to the arrival times of its attempts. */
    private final Map<String, List<Long>> arrivals = new ConcurrentHashMap<>();
    private final AtomicInteger received = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean accepting = new java.util.concurrent.atomic.AtomicBoolean();

    void run() throws Exception {
        HttpServer items = Api.stub("/items/", 0, 4);
        HttpServer receiver = receiver();
        String receiverUrl = "http://127.0.0.1:" + receiver.getAddress().getPort();
        byte[] body = new byte[1024];
        java.util.Arrays.fill(body, (byte) 'x');

        Latencies.Figures bare = Bench.measure("bare receiver (POST 1 KB)", concurrency, 10, 15,
                i -> http.sendAsync(HttpRequest.newBuilder(URI.create(receiverUrl + "/bare"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.discarding()).thenApply(r -> r.statusCode() == 204));

        String apiKey = api.register(adminToken, "bench-callbacks", "callback-stub",
                "http://127.0.0.1:" + items.getAddress().getPort(), 0,
                """
                        {"key":"bench_item","intent":"Get an item",
                         "inputSchema":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]},
                         "useDefaultMapping":true,"type":"http",
                         "http":{"integrationKey":"callback-stub","method":"GET","path":"/items/{id}"},"timeoutMs":5000}""");
        System.out.printf("running %d asynchronous runs with a callback each%n", callbacks);
        long loadStart = System.nanoTime();
        parallel(callbacks,
                i -> http
                        .sendAsync(api
                                .post("/v1/actions/run",
                                        "{\"key\":\"bench_item\",\"userId\":\"b\"," + "\"input\":{\"id\":\"c" + i
                                                + "\"},\"async\":true,\"callbackUrl\":\"" + receiverUrl + "/cb\"}")
                                .header("x-api-key", apiKey).build(), HttpResponse.BodyHandlers.discarding())
                        .thenApply(r -> r.statusCode() == 202));
        awaitReceived(callbacks, Duration.ofMinutes(10));
        double firstPass = callbacks / ((System.nanoTime() - loadStart) / 1e9);
        System.out.printf("first attempts done, all refused (%.0f runs with callback/s, bounded by the run pipeline)%n",
                firstPass);

        accepting.set(true);
        long drainStart = System.nanoTime();
        int recovered = 0;
        long deadline = drainStart + Duration.ofMinutes(2).toNanos();
        // attempts are recorded just after the receiver answered: the last ones may need a second recovery
        while (recovered < callbacks && System.nanoTime() < deadline) {
            recovered += api.send(api.post("/v1/callbacks/recover", "{}").header("x-api-key", apiKey), 202)
                    .get("redelivered").asInt();
            if (recovered < callbacks) {
                Thread.sleep(50);
            }
        }
        long issued = System.nanoTime();
        awaitReceived(2 * callbacks, Duration.ofMinutes(10));
        long lastArrival = arrivals.values().stream().mapToLong(times -> times.get(times.size() - 1)).max()
                .orElseThrow();
        Latencies delays = new Latencies(callbacks + 1);
        delays.start();
        arrivals.values().forEach(times -> {
            if (times.size() >= 2) {
                delays.record(times.get(times.size() - 1) - drainStart);
            } else {
                delays.error();
            }
        });
        delays.stop();
        double seconds = (lastArrival - drainStart) / 1e9;
        double perSecond = callbacks / seconds;
        Latencies.Figures delay = delays.figures("recovery request -> arrival");
        StringBuilder out = new StringBuilder();
        out.append(String.format("%n%-34s %9s %10s %8s %8s %8s %8s %7s%n", "", "requests", "req/s", "p50 ms", "p90 ms",
                "p99 ms", "max ms", "errors"));
        out.append(bare.row()).append('\n');
        out.append(String.format("%-34s %9d %10.1f%n", "callback deliveries (backlog)", callbacks, perSecond));
        out.append(delay.row()).append('\n');
        out.append(String.format("recovery requested in %.2f s; backlog drained in %.2f s%n",
                (issued - drainStart) / 1e9, seconds));
        out.append(String.format("deliveries / bare receiver throughput: %5.1f %%  (target >= 50 %%: %s)%n",
                100 * perSecond / bare.perSecond(), perSecond >= 0.5 * bare.perSecond() ? "met" : "missed"));
        System.out.print(out);
        receiver.stop(0);
        items.stop(0);
    }

    private HttpServer receiver() throws java.io.IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            if (exchange.getRequestURI().getPath().equals("/cb")) {
                String id = exchange.getRequestHeaders().getFirst("webhook-id");
                arrivals.computeIfAbsent(id, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                        .add(System.nanoTime());
                received.incrementAndGet();
            }
            // 410 ends a delivery at its first attempt: the backlog for the measurement
            exchange.sendResponseHeaders(
                    exchange.getRequestURI().getPath().equals("/cb") && !accepting.get() ? 410 : 204, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** Runs {@code count} calls with at most {@code concurrency} in flight; fails if any call failed. */
    private void parallel(int count, java.util.function.IntFunction<CompletableFuture<Boolean>> call)
            throws InterruptedException {
        Semaphore slots = new Semaphore(concurrency);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            slots.acquire();
            call.apply(i).whenComplete((ok, failure) -> {
                if (failure != null) {
                    failures.add(failure);
                } else if (!ok) {
                    refused.incrementAndGet();
                }
                slots.release();
            });
        }
        slots.acquire(concurrency);
        if (!failures.isEmpty() || refused.get() > 0) {
            throw new IllegalStateException(refused.get() + " calls refused, " + failures.size() + " failed: "
                    + failures.stream().findFirst().map(Throwable::toString).orElse(""));
        }
    }

    private void awaitReceived(int count, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (received.get() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + received.get() + " of " + count + " callbacks arrived");
            }
            Thread.sleep(20);
        }
    }

}

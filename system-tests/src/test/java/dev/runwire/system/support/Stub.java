package dev.runwire.system.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A scriptable integration on 127.0.0.1: per path prefix, a status, a body and a delay. It records every request it
 * receives, with its method, headers, query and body.
 */
public final class Stub implements AutoCloseable {

    /** How the stub answers a path prefix. */
    public record Behaviour(int status, String body, long delayMillis, Map<String, String> headers) {
        public Behaviour(int status, String body, long delayMillis) {
            this(status, body, delayMillis, Map.of());
        }
    }

    /** A request the stub received. */
    public record Received(String method, String path, String query, Map<String, List<String>> headers, String body,
            long startedNanos, AtomicLong finishedNanos) {

        /** Whether this request was being handled while the other one was. */
        public boolean overlaps(Received other) {
            return startedNanos < other.finishedNanos.get() && other.startedNanos < finishedNanos.get();
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final String host;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<String, java.util.Queue<Behaviour>> scripts = new ConcurrentHashMap<>();
    public final List<Received> received = new CopyOnWriteArrayList<>();

    public Stub() throws IOException {
        this("127.0.0.1");
    }

    /** A stub on another loopback address, e.g. {@code 127.0.0.2}, for tests that refuse 127.0.0.1. */
    public Stub(String host) throws IOException {
        this.host = host;
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(host, 0), 512);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    /** Answers requests under {@code pathPrefix} with {@code status} and {@code body} after {@code delayMillis}. */
    public void on(String pathPrefix, int status, String body, long delayMillis) {
        behaviours.put(pathPrefix, new Behaviour(status, body, delayMillis));
    }

    /** Answers the next request under {@code pathPrefix} once with this, before any {@link #on} behaviour. */
    public void once(String pathPrefix, int status, String body) {
        scripts.computeIfAbsent(pathPrefix, p -> new java.util.concurrent.ConcurrentLinkedQueue<>())
                .add(new Behaviour(status, body, 0));
    }

    /** Answers the next request under {@code pathPrefix} once with this, after {@code delayMillis}. */
    public void once(String pathPrefix, int status, String body, long delayMillis) {
        scripts.computeIfAbsent(pathPrefix, p -> new java.util.concurrent.ConcurrentLinkedQueue<>())
                .add(new Behaviour(status, body, delayMillis));
    }

    /** Answers the next request under {@code pathPrefix} once with this status, body and response headers. */
    public void once(String pathPrefix, int status, String body, Map<String, String> headers) {
        scripts.computeIfAbsent(pathPrefix, p -> new java.util.concurrent.ConcurrentLinkedQueue<>())
                .add(new Behaviour(status, body, 0, headers));
    }

    public List<Received> receivedUnder(String pathPrefix) {
        return received.stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Received request = new Received(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(),
                Map.copyOf(exchange.getRequestHeaders()), body, System.nanoTime(), new AtomicLong(Long.MAX_VALUE));
        received.add(request);
        Behaviour scripted = scripts.entrySet().stream().filter(e -> path.startsWith(e.getKey()))
                .map(e -> e.getValue().poll()).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        Behaviour behaviour = scripted != null ? scripted
                : behaviours.entrySet().stream().filter(e -> path.startsWith(e.getKey()))
                        .max((a, b) -> a.getKey().length() - b.getKey().length()).map(Map.Entry::getValue)
                        .orElse(new Behaviour(404, "{\"error\":\"no behaviour\"}", 0));
        try {
            if (behaviour.delayMillis() > 0) {
                TimeUnit.MILLISECONDS.sleep(behaviour.delayMillis());
            }
            byte[] bytes = behaviour.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            behaviour.headers().forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(behaviour.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the caller gave up (timeout test, killed executor): nothing to answer
        } finally {
            request.finishedNanos().set(System.nanoTime());
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}

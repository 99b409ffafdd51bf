package dev.runwire.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/** Set-up calls to the api-service: an owner, an integration on the benchmark's stub, an action. */
final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final HttpClient http;

    Api(String url, HttpClient http) {
        this.url = url;
        this.http = http;
    }

    /**
     * Creates an owner with an integration {@code integrationKey} on the stub and the action; returns the API key. The
     * owner is rate-limited like any client, with {@code rateLimit} requests per window (0: exempt, nothing counted).
     */
    String register(String adminToken, String owner, String integrationKey, String stubUrl, int rateLimit,
            String action) throws Exception {
        if (adminToken == null) {
            throw new IllegalStateException("RUNWIRE_ADMIN_TOKEN is required");
        }
        JsonNode created = send(
                post("/admin/owners", "{\"name\":\"" + owner + "\"}").header("Authorization", "Bearer " + adminToken),
                201);
        String apiKey = created.get("apiKey").asText();
        // counted like every client, so that the limiter's cost is in the figures, with a limit it never reaches
        String setting = rateLimit > 0 ? "{\"exempt\":false,\"limitOverride\":" + rateLimit + "}" : "{\"exempt\":true}";
        send(put("/admin/owners/" + created.get("ownerId").asText() + "/rate-limit", setting).header("Authorization",
                "Bearer " + adminToken), 200);
        send(post("/v1/integrations", "{\"key\":\"" + integrationKey + "\",\"name\":\"" + integrationKey
                + "\",\"baseUrl\":\"" + stubUrl + "\"}").header("x-api-key", apiKey), 201);
        send(post("/v1/actions", action).header("x-api-key", apiKey), 201);
        return apiKey;
    }

    HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    HttpRequest.Builder put(String path, String body) {
        return HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body));
    }

    HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60));
    }

    /**
     * The benchmark's integration: {@code GET prefix{id}} answers {@code {"id": id, "price": 12.5}} after the delay.
     */
    static HttpServer stub(String prefix, long delayMillis, int threads) throws IOException {
        return stub(prefix, delayMillis, threads, null);
    }

    /** What the stub saw of one call: when its request arrived and when its answer was written (bench clock). */
    interface StubLog {
        void call(String id, java.time.Instant received, java.time.Instant answered);
    }

    /** The same, telling {@code log} (when not null) when each call arrived and was answered. */
    static HttpServer stub(String prefix, long delayMillis, int threads, StubLog log) throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.createContext(prefix, exchange -> {
            java.time.Instant received = log == null ? null : java.time.Instant.now();
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String id = exchange.getRequestURI().getPath().substring(prefix.length());
            byte[] body = ("{\"id\":\"" + id + "\",\"name\":\"item " + id + "\",\"price\":12.5}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            if (log != null) {
                log.call(id, received, java.time.Instant.now());
            }
        });
        server.start();
        return server;
    }

    JsonNode send(HttpRequest.Builder request, int expected) throws Exception {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException("call answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}

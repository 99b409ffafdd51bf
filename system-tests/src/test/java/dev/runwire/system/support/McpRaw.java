package dev.runwire.system.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * MCP over Streamable HTTP by hand, for what the SDK's client would never send or cannot show: a raw session, a
 * {@code tools/call} read as server-sent events one message at a time, a response to an elicitation POSTed to any
 * replica with any session.
 */
public final class McpRaw {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private McpRaw() {
    }

    /** An answer: its status, its headers and its body. */
    public record Answer(int status, String contentType, Optional<String> session, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static Answer post(String url, String bearer, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().firstValue("Mcp-Session-Id"), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A session of a client that declares the given capabilities; its id. */
    public static String initialize(String url, String bearer, Map<String, Object> capabilities) {
        try {
            Answer answer = post(url, bearer, null,
                    JSON.writeValueAsString(Map.of("jsonrpc", "2.0", "id", 1, "method", "initialize", "params",
                            Map.of("protocolVersion", "2025-11-25", "capabilities", capabilities, "clientInfo",
                                    Map.of("name", "raw", "version", "1")))));
            if (answer.status() != 200 || answer.session().isEmpty()) {
                throw new AssertionError("no session: " + answer);
            }
            return answer.session().get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON-RPC messages of a streamed answer, as they arrive. */
    public static final class Stream {
        private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response;
        private volatile String contentType;

        private Stream(CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response) {
            this.response = response;
            response.thenAccept(r -> {
                contentType = r.headers().firstValue("Content-Type").orElse("");
                Iterator<String> lines = r.body().iterator();
                while (lines.hasNext()) {
                    String line = lines.next();
                    if (line.startsWith("data:")) {
                        try {
                            messages.add(JSON.readTree(line.substring(5).trim()));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    } else if (contentType.startsWith("application/json") && !line.isBlank()) {
                        try {
                            messages.add(JSON.readTree(line));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
            });
        }

        /** The next message, within the time given. */
        public JsonNode next(Duration within) {
            try {
                JsonNode message = messages.poll(within.toMillis(), TimeUnit.MILLISECONDS);
                if (message == null) {
                    throw new AssertionError("no message within " + within);
                }
                return message;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Messages until (and with) the response to {@code id}. */
        public List<JsonNode> untilResponse(Object id, Duration within) {
            List<JsonNode> seen = new ArrayList<>();
            long deadline = System.nanoTime() + within.toNanos();
            while (true) {
                JsonNode message = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                seen.add(message);
                if (!message.has("method") && message.path("id").asText().equals(String.valueOf(id))) {
                    return seen;
                }
            }
        }

        public String contentType() {
            response.join();
            return contentType;
        }
    }

    /** Starts a POST whose answer is read message by message. */
    public static Stream stream(String url, String bearer, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return new Stream(HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()));
    }

    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

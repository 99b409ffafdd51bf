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
 * {@code tools/call} read as server-sent events one message at a time (or one event at a time, with its id, and dropped
 * mid-way), a response to an elicitation POSTed to any replica with any session, a stream resumed with
 * {@code Last-Event-ID} on any replica.
 */
public final class McpRaw {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A thread per stream being read: a reader blocks until its stream's next line. */
    private static final java.util.concurrent.ExecutorService READERS = java.util.concurrent.Executors
            .newCachedThreadPool(task -> {
                Thread thread = new Thread(task, "mcp-raw-events");
                thread.setDaemon(true);
                return thread;
            });

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
        return answer(postRequest(url, bearer, session, body));
    }

    private static HttpRequest.Builder postRequest(String url, String bearer, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return request;
    }

    /** The whole answer to a request. */
    private static Answer answer(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
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
                    if (line.startsWith("data:") && !line.substring(5).isBlank()) {
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
            return poll(messages, within);
        }

        /** Messages until (and with) the response to {@code id}. */
        public List<JsonNode> untilResponse(Object id, Duration within) {
            return until(this::next, message -> message, id, within);
        }

        public String contentType() {
            response.join();
            return contentType;
        }
    }

    /** Starts a POST whose answer is read message by message. */
    public static Stream stream(String url, String bearer, String session, String body) {
        return new Stream(
                HTTP.sendAsync(postRequest(url, bearer, session, body).build(), HttpResponse.BodyHandlers.ofLines()));
    }

    /** The next item of a queue, within the time given. */
    private static <T> T poll(BlockingQueue<T> queue, Duration within) {
        try {
            T item = queue.poll(within.toMillis(), TimeUnit.MILLISECONDS);
            if (item == null) {
                throw new AssertionError("nothing within " + within);
            }
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Items until (and with) the one whose message is the response to {@code id}. */
    private static <T> List<T> until(java.util.function.Function<Duration, T> next,
            java.util.function.Function<T, JsonNode> message, Object id, Duration within) {
        List<T> seen = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            T item = next.apply(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            seen.add(item);
            JsonNode m = message.apply(item);
            if (!m.has("method") && m.path("id").asText().equals(String.valueOf(id))) {
                return seen;
            }
        }
    }

    /** A GET on the endpoint with {@code Last-Event-ID} (resuming a stream), read whole: for its refusals. */
    public static Answer get(String url, String bearer, String session, String lastEventId) {
        return answer(getRequest(url, bearer, session, lastEventId));
    }

    private static HttpRequest.Builder getRequest(String url, String bearer, String session, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + bearer).header("Accept", "text/event-stream")
                .header("MCP-Protocol-Version", "2025-11-25").header("Last-Event-ID", lastEventId).GET();
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return request;
    }

    /** One server-sent event as sent: its id (null: none) and its message (null: a priming event without data). */
    public record Event(String id, JsonNode message) {
    }

    /**
     * A stream read event by event as the server framed it (ids, priming events, heartbeat comments), which can be
     * dropped mid-way ({@link #close()}) as a client losing its connection does.
     */
    public static final class Events implements AutoCloseable {
        private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final java.util.concurrent.atomic.AtomicInteger comments = new java.util.concurrent.atomic.AtomicInteger();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final CompletableFuture<HttpResponse<java.io.InputStream>> response;

        private Events(CompletableFuture<HttpResponse<java.io.InputStream>> response) {
            this.response = response;
            response.thenAcceptAsync(this::read, READERS).exceptionally(failure -> {
                ended.complete(null);
                return null;
            });
        }

        private void read(HttpResponse<java.io.InputStream> answer) {
            try (java.io.BufferedReader lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(answer.body(), java.nio.charset.StandardCharsets.UTF_8))) {
                String id = null;
                StringBuilder data = null;
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (data != null) {
                            events.add(
                                    new Event(id, data.toString().isBlank() ? null : JSON.readTree(data.toString())));
                        }
                        id = null;
                        data = null;
                    } else if (line.startsWith(":")) {
                        comments.incrementAndGet();
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("data:")) {
                        data = (data == null ? new StringBuilder() : data.append('\n'))
                                .append(line.substring(5).trim());
                    }
                }
            } catch (IOException e) {
                // dropped by close(), or cut by the server
            } finally {
                ended.complete(null);
            }
        }

        public int status() {
            return response.join().statusCode();
        }

        /** The next event, priming ones included, within the time given. */
        public Event next(Duration within) {
            return poll(events, within);
        }

        /** The next event that carries a message (priming events skipped). */
        public Event nextMessage(Duration within) {
            long deadline = System.nanoTime() + within.toNanos();
            while (true) {
                Event event = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (event.message() != null) {
                    return event;
                }
            }
        }

        /** The events with a message until (and with) the response to {@code id}. */
        public List<Event> untilResponse(Object id, Duration within) {
            return until(this::nextMessage, Event::message, id, within);
        }

        /** Heartbeat comments seen so far. */
        public int comments() {
            return comments.get();
        }

        /** Whether the server ended the stream within the time given. */
        public boolean endsWithin(Duration within) {
            try {
                ended.get(within.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Drops the connection, as a client whose network went away. */
        @Override
        public void close() {
            response.thenAccept(answer -> {
                try {
                    answer.body().close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** Starts a POST whose streamed answer is read event by event. */
    public static Events events(String url, String bearer, String session, String body) {
        return new Events(HTTP.sendAsync(postRequest(url, bearer, session, body).build(),
                HttpResponse.BodyHandlers.ofInputStream()));
    }

    /** Starts a GET resuming a stream after {@code lastEventId}, read event by event. */
    public static Events resume(String url, String bearer, String session, String lastEventId) {
        return new Events(HTTP.sendAsync(getRequest(url, bearer, session, lastEventId).build(),
                HttpResponse.BodyHandlers.ofInputStream()));
    }

    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

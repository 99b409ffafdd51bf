package dev.runwire.system.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Reads a server-sent event stream the way a browser's EventSource would, and can hang up after some events. */
public final class SseClient {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Hangs up on a stream still open at its deadline: heartbeats would otherwise keep a test reading forever. */
    private static final ScheduledExecutorService HANG_UP = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "sse-hang-up");
        thread.setDaemon(true);
        return thread;
    });

    /** One event as received. */
    public record Event(long id, String type, String data) {
    }

    /** What a reader got: its events, the number of comment lines (heartbeats), and whether the server ended it. */
    public record Stream(int status, List<Event> events, int comments, boolean ended, String errorBody) {
    }

    private SseClient() {
    }

    /**
     * Reads until the server ends the stream, until {@code limit} events have arrived (then it disconnects), or until
     * {@code timeout} has passed since the request (then it disconnects too, and the stream is not {@code ended}).
     *
     * @param lastEventId
     *            sent as the {@code Last-Event-ID} header when not null
     */
    public static Stream read(String url, String apiKey, String lastEventId, int limit, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Accept",
                "text/event-stream");
        if (apiKey != null) {
            request.header("x-api-key", apiKey);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            try (InputStream body = response.body()) {
                return new Stream(response.statusCode(), List.of(), 0, true,
                        new String(body.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        List<Event> events = new ArrayList<>();
        int comments = 0;
        InputStream body = response.body();
        ScheduledFuture<?> deadline = HANG_UP.schedule(() -> {
            try {
                body.close();
            } catch (IOException e) {
                // closed already
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            long id = -1;
            String type = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (id >= 0 || data.length() > 0) {
                        events.add(new Event(id, type, data.toString()));
                        if (events.size() >= limit) {
                            return new Stream(200, events, comments, false, null);
                        }
                    }
                    id = -1;
                    type = null;
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    comments++;
                } else if (line.startsWith("id:")) {
                    id = Long.parseLong(line.substring(3).trim());
                } else if (line.startsWith("event:")) {
                    type = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
        } catch (IOException e) {
            if (!deadline.isDone()) {
                throw e;
            }
            System.err.println("sse: hung up at the deadline after " + events.size() + " events: " + url);
            return new Stream(200, events, comments, false, null);
        } finally {
            deadline.cancel(false);
        }
        return new Stream(200, events, comments, true, null);
    }
}

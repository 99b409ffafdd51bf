package dev.runwire.model.trace;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * A trace context as the one W3C {@code traceparent} value that crosses what tracing cannot follow by itself: a table
 * row read back later (the outbox, a callback delivery) or a record read in a batch (docs/adr/0041).
 */
public final class TraceParents {

    /** The header (HTTP) and record header (Kafka) name. */
    public static final String HEADER = "traceparent";

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private TraceParents() {
    }

    /** The {@code traceparent} of the context's span; null when it has no valid one. */
    public static String of(Context context) {
        Map<String, String> carrier = new HashMap<>(2);
        W3C.inject(context, carrier, Map::put);
        return carrier.get(HEADER);
    }

    /** The current context's {@code traceparent}; null when there is none. */
    public static String current() {
        return of(Context.current());
    }

    /** A context whose (remote) parent the value names; the root context for null or an invalid value. */
    public static Context parent(String traceparent) {
        if (traceparent == null) {
            return Context.root();
        }
        return W3C.extract(Context.root(), Map.of(HEADER, traceparent), MAP);
    }

    /** The context a Kafka record's {@code traceparent} header names, the root context when it has none. */
    public static Context parent(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(HEADER);
        return parent(
                header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
    }
}

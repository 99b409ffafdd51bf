package dev.runwire.system.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1 ({@code http/protobuf}, any path): it keeps every span the services export.
 * The protobuf messages are read with a small wire-format reader of their own (the fields of
 * {@code opentelemetry/proto/trace/v1/trace.proto} used here), so the tests need no generated classes.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** Span kinds as OTLP numbers them. */
    private static final String[] KINDS = { "UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER" };

    /** A span as exported: ids in lower-case hex (parent empty for a root), the exporting service, its attributes. */
    public record Span(String service, String traceId, String spanId, String parentSpanId, String name, String kind,
            long startNanos, long endNanos, Map<String, String> attributes) {

        public String attribute(String key) {
            return attributes.get(key);
        }
    }

    private final HttpServer server;
    public final List<Span> spans = new CopyOnWriteArrayList<>();
    /** Requests that were not protobuf traces (e.g. another protocol configured): a test can say so. */
    public final List<String> refused = new CopyOnWriteArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The endpoint to configure ({@code QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}). */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The spans of one trace. */
    public List<Span> trace(String traceId) {
        return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            InputStream in = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                in = new GZIPInputStream(in);
            }
            byte[] body = in.readAllBytes();
            if (!"POST".equals(exchange.getRequestMethod()) || type == null || !type.contains("protobuf")) {
                refused.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + type);
                exchange.sendResponseHeaders(415, -1);
                return;
            }
            try {
                readRequest(body);
            } catch (RuntimeException e) {
                refused.add("unreadable: " + e);
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            // an empty ExportTraceServiceResponse
            exchange.sendResponseHeaders(200, -1);
        }
    }

    /** ExportTraceServiceRequest: 1 = ResourceSpans. */
    private void readRequest(byte[] body) {
        Reader request = new Reader(body);
        while (request.more()) {
            int field = request.tag();
            if (field == 1) {
                readResourceSpans(request.message());
            } else {
                request.skip();
            }
        }
    }

    /** ResourceSpans: 1 = Resource (1 = attributes), 2 = ScopeSpans (2 = Span). */
    private void readResourceSpans(Reader resourceSpans) {
        String service = null;
        List<Reader> scopes = new ArrayList<>();
        while (resourceSpans.more()) {
            int field = resourceSpans.tag();
            if (field == 1) {
                Reader resource = resourceSpans.message();
                while (resource.more()) {
                    if (resource.tag() == 1) {
                        Map.Entry<String, String> attribute = keyValue(resource.message());
                        if (attribute.getKey().equals("service.name")) {
                            service = attribute.getValue();
                        }
                    } else {
                        resource.skip();
                    }
                }
            } else if (field == 2) {
                scopes.add(resourceSpans.message());
            } else {
                resourceSpans.skip();
            }
        }
        for (Reader scope : scopes) {
            while (scope.more()) {
                if (scope.tag() == 2) {
                    spans.add(span(service, scope.message()));
                } else {
                    scope.skip();
                }
            }
        }
    }

    /** Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 7 start, 8 end, 9 attributes. */
    private static Span span(String service, Reader span) {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        String kind = KINDS[0];
        long start = 0;
        long end = 0;
        Map<String, String> attributes = new LinkedHashMap<>();
        while (span.more()) {
            switch (span.tag()) {
            case 1 -> traceId = HexFormat.of().formatHex(span.bytes());
            case 2 -> spanId = HexFormat.of().formatHex(span.bytes());
            case 4 -> parent = HexFormat.of().formatHex(span.bytes());
            case 5 -> name = span.string();
            case 6 -> kind = KINDS[(int) span.varint()];
            case 7 -> start = span.fixed64();
            case 8 -> end = span.fixed64();
            case 9 -> {
                Map.Entry<String, String> attribute = keyValue(span.message());
                attributes.put(attribute.getKey(), attribute.getValue());
            }
            default -> span.skip();
            }
        }
        return new Span(service, traceId, spanId, parent, name, kind, start, end, attributes);
    }

    /** KeyValue: 1 key, 2 AnyValue (1 string, 2 bool, 3 int, 4 double; others shown as their type). */
    private static Map.Entry<String, String> keyValue(Reader keyValue) {
        String key = "";
        String value = "";
        while (keyValue.more()) {
            int field = keyValue.tag();
            if (field == 1) {
                key = keyValue.string();
            } else if (field == 2) {
                Reader any = keyValue.message();
                while (any.more()) {
                    switch (any.tag()) {
                    case 1 -> value = any.string();
                    case 2 -> value = String.valueOf(any.varint() != 0);
                    case 3 -> value = String.valueOf(any.varint());
                    case 4 -> value = String.valueOf(Double.longBitsToDouble(any.fixed64()));
                    default -> {
                        value = "(structured)";
                        any.skip();
                    }
                    }
                }
            } else {
                keyValue.skip();
            }
        }
        return Map.entry(key, value);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The protobuf wire format: varints, fixed 64/32-bit values and length-delimited fields. */
    private static final class Reader {
        private final ByteBuffer buffer;
        private int wireType;

        Reader(byte[] bytes) {
            this.buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        boolean more() {
            return buffer.hasRemaining();
        }

        int tag() {
            long tag = varint();
            wireType = (int) (tag & 7);
            return (int) (tag >>> 3);
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buffer.get();
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalStateException("malformed varint");
        }

        long fixed64() {
            return buffer.getLong();
        }

        byte[] bytes() {
            byte[] bytes = new byte[(int) varint()];
            buffer.get(bytes);
            return bytes;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Reader message() {
            return new Reader(bytes());
        }

        void skip() {
            switch (wireType) {
            case 0 -> varint();
            case 1 -> buffer.position(buffer.position() + 8);
            case 2 -> bytes();
            case 5 -> buffer.position(buffer.position() + 4);
            default -> throw new IllegalStateException("wire type " + wireType);
            }
        }
    }
}

package dev.runwire.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * SSE readers on plain NIO: a few threads, each a selector over its share of the connections, parsing the bytes as they
 * come (HTTP/1.1 status and headers, chunked transfer coding, SSE lines) with no per-line object but the rare fallback.
 * The harness's cost per event received is then mostly the kernel's, so the CPU figures measure the api-service, not
 * the client. Each stream is still checked in full: every {@code id:} against the one before, and every {@code data:}
 * line's creation time ({@code "at"}) against the clock, through the same {@link Listener} as the Vert.x readers.
 */
final class NioSseReaders implements AutoCloseable {

    /** What a stream tells as it is read; every call for one stream comes from one thread. */
    interface Listener<S> {
        /** The response's head: {@code ok} if it is 200 with a body to read. */
        void opened(S stream, boolean ok);

        void id(S stream, long id);

        /** A {@code data:} line whose {@code "at"} is {@code createdMillis} (-1: none found), read at {@code now}. */
        void data(S stream, long createdMillis, long now);

        /** The body's end (the last chunk) after a good head. */
        void ended(S stream);

        /** Closed, reset or refused before its end. */
        void failed(S stream);
    }

    private final Loop<?>[] loops;
    private final InetSocketAddress server;

    <S> NioSseReaders(int threads, InetSocketAddress server, Listener<S> listener) throws IOException {
        this.server = server;
        this.loops = new Loop<?>[threads];
        for (int i = 0; i < threads; i++) {
            Loop<S> loop = new Loop<>(Selector.open(), listener);
            loops[i] = loop;
            Thread thread = new Thread(loop, "sse-reader-" + i);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Connects (blocking, so a full accept queue slows the openings down instead of failing them) and sends the
     * request; the stream is then read on loop {@code index % threads}.
     */
    @SuppressWarnings("unchecked")
    <S> void open(int index, S stream, String path, String apiKey) {
        Loop<S> loop = (Loop<S>) loops[index % loops.length];
        Connection<S> connection = new Connection<>(stream);
        try {
            SocketChannel channel = SocketChannel.open();
            connection.channel = channel;
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(server);
            ByteBuffer request = ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: " + server.getHostString() + ":"
                    + server.getPort() + "\r\nx-api-key: " + apiKey + "\r\nAccept: text/event-stream\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            while (request.hasRemaining()) {
                channel.write(request);
            }
            channel.configureBlocking(false);
        } catch (IOException e) {
            connection.close();
            loop.listener.opened(stream, false);
            return;
        }
        loop.pending.add(connection);
        loop.selector.wakeup();
    }

    @Override
    public void close() {
        for (Loop<?> loop : loops) {
            loop.stop();
        }
    }

    private static final class Loop<S> implements Runnable {
        final Selector selector;
        final Listener<S> listener;
        final Queue<Connection<S>> pending = new ConcurrentLinkedQueue<>();
        /** One read buffer for all the loop's connections: their state between reads is in their parsers. */
        final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        final byte[] bytes = new byte[64 * 1024];
        volatile boolean running = true;

        Loop(Selector selector, Listener<S> listener) {
            this.selector = selector;
            this.listener = listener;
        }

        void stop() {
            running = false;
            selector.wakeup();
        }

        @Override
        @SuppressWarnings("unchecked")
        public void run() {
            try {
                while (running) {
                    selector.select();
                    Connection<S> added;
                    while ((added = pending.poll()) != null) {
                        added.channel.register(selector, SelectionKey.OP_READ, added);
                    }
                    for (SelectionKey key : selector.selectedKeys()) {
                        read((Connection<S>) key.attachment(), key);
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException e) {
                throw new IllegalStateException("the SSE readers' selector failed", e);
            } finally {
                for (SelectionKey key : selector.keys()) {
                    ((Connection<?>) key.attachment()).close();
                }
                try {
                    selector.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }

        private void read(Connection<S> connection, SelectionKey key) {
            int n;
            try {
                in.clear();
                n = connection.channel.read(in);
            } catch (IOException e) {
                n = -1;
            }
            if (n < 0) {
                key.cancel();
                connection.close();
                if (!connection.done) {
                    connection.done = true;
                    if (connection.headDone && !connection.chunked && connection.ok) {
                        // a body without chunks ends with the connection
                        listener.ended(connection.stream);
                    } else {
                        listener.failed(connection.stream);
                    }
                }
                return;
            }
            in.flip();
            in.get(bytes, 0, n);
            long now = System.currentTimeMillis();
            connection.parse(bytes, n, now, listener);
            if (connection.done) {
                key.cancel();
                connection.close();
            }
        }
    }

    /** One stream's parser: the HTTP head, then chunks (or a plain body), then SSE lines. */
    private static final class Connection<S> {
        private static final int HEAD = 0;
        private static final int CHUNK_SIZE = 1;
        private static final int CHUNK_DATA = 2;
        private static final int CHUNK_END = 3;
        private static final int TRAILER = 4;
        private static final int BODY = 5;

        final S stream;
        SocketChannel channel;
        boolean headDone;
        boolean ok;
        boolean chunked;
        boolean done;
        private int state = HEAD;
        private long chunkLeft;
        /** The SSE line being read, which may span reads and chunks; grown as needed. */
        private byte[] line = new byte[256];
        private int lineLength;
        /** The head line or chunk-size line being read. */
        private byte[] control = new byte[256];
        private int controlLength;
        private int status;

        Connection(S stream) {
            this.stream = stream;
        }

        void close() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                // closed anyway
            }
        }

        void parse(byte[] bytes, int n, long now, Listener<S> listener) {
            int i = 0;
            while (i < n && !done) {
                switch (state) {
                case CHUNK_DATA -> {
                    int take = (int) Math.min(chunkLeft, n - i);
                    body(bytes, i, take, now, listener);
                    i += take;
                    chunkLeft -= take;
                    if (chunkLeft == 0) {
                        state = CHUNK_END;
                    }
                }
                case BODY -> {
                    body(bytes, i, n - i, now, listener);
                    i = n;
                }
                default -> {
                    // line-oriented states: head lines, chunk sizes, the CRLF after a chunk, trailers
                    byte b = bytes[i++];
                    if (b != '\n') {
                        if (controlLength == control.length) {
                            control = Arrays.copyOf(control, control.length * 2);
                        }
                        control[controlLength++] = b;
                        continue;
                    }
                    int length = controlLength > 0 && control[controlLength - 1] == '\r' ? controlLength - 1
                            : controlLength;
                    controlLength = 0;
                    controlLine(length, listener);
                }
                }
            }
        }

        private void controlLine(int length, Listener<S> listener) {
            switch (state) {
            case HEAD -> {
                if (status == 0) {
                    // "HTTP/1.1 200 OK"
                    status = length >= 12 ? (control[9] - '0') * 100 + (control[10] - '0') * 10 + (control[11] - '0')
                            : -1;
                } else if (length == 0) {
                    headDone = true;
                    ok = status == 200;
                    listener.opened(stream, ok);
                    if (!ok) {
                        done = true;
                        return;
                    }
                    state = chunked ? CHUNK_SIZE : BODY;
                } else if (startsWithIgnoreCase(length, "transfer-encoding:")
                        && new String(control, 0, length, StandardCharsets.US_ASCII).toLowerCase()
                                .contains("chunked")) {
                    chunked = true;
                }
            }
            case CHUNK_SIZE -> {
                long size = 0;
                for (int k = 0; k < length; k++) {
                    int digit = Character.digit(control[k], 16);
                    if (digit < 0) {
                        break;
                    }
                    size = size * 16 + digit;
                }
                if (size == 0) {
                    state = TRAILER;
                } else {
                    chunkLeft = size;
                    state = CHUNK_DATA;
                }
            }
            case CHUNK_END -> state = CHUNK_SIZE;
            case TRAILER -> {
                if (length == 0) {
                    done = true;
                    listener.ended(stream);
                }
            }
            default -> throw new IllegalStateException("state " + state);
            }
        }

        /** Body bytes: SSE lines, which may span reads and chunks. */
        private void body(byte[] bytes, int from, int count, long now, Listener<S> listener) {
            int end = from + count;
            int start = from;
            for (int i = from; i < end; i++) {
                if (bytes[i] == '\n') {
                    if (lineLength == 0) {
                        sseLine(bytes, start, i - start, now, listener);
                    } else {
                        appendAll(bytes, start, i - start);
                        sseLine(line, 0, lineLength, now, listener);
                        lineLength = 0;
                    }
                    start = i + 1;
                }
            }
            appendAll(bytes, start, end - start);
        }

        private void sseLine(byte[] b, int off, int len, long now, Listener<S> listener) {
            if (len > 0 && b[off + len - 1] == '\r') {
                len--;
            }
            if (len >= 3 && b[off] == 'i' && b[off + 1] == 'd' && b[off + 2] == ':') {
                long id = 0;
                for (int k = off + 3; k < off + len; k++) {
                    byte c = b[k];
                    if (c >= '0' && c <= '9') {
                        id = id * 10 + (c - '0');
                    } else if (c != ' ') {
                        id = -1;
                        break;
                    }
                }
                listener.id(stream, id);
            } else if (len >= 5 && b[off] == 'd' && b[off + 1] == 'a' && b[off + 2] == 't' && b[off + 3] == 'a'
                    && b[off + 4] == ':') {
                listener.data(stream, at(b, off, len), now);
            }
        }

        private boolean startsWithIgnoreCase(int length, String prefix) {
            if (length < prefix.length()) {
                return false;
            }
            for (int k = 0; k < prefix.length(); k++) {
                if (Character.toLowerCase(control[k]) != prefix.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        private void appendAll(byte[] bytes, int from, int count) {
            if (count <= 0) {
                return;
            }
            if (lineLength + count > line.length) {
                line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + count));
            }
            System.arraycopy(bytes, from, line, lineLength, count);
            lineLength += count;
        }
    }

    private static final byte[] AT = "\"at\":\"".getBytes(StandardCharsets.US_ASCII);

    /** The epoch milliseconds of the first {@code "at":"…"} of a data line, -1 if there is none. */
    static long at(byte[] b, int off, int len) {
        int end = off + len;
        outer: for (int i = off; i + AT.length <= end; i++) {
            for (int k = 0; k < AT.length; k++) {
                if (b[i + k] != AT[k]) {
                    continue outer;
                }
            }
            int from = i + AT.length;
            int to = from;
            while (to < end && b[to] != '"') {
                to++;
            }
            return instantMillis(b, from, to);
        }
        return -1;
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z} (how Jackson writes an {@link Instant}) in epoch milliseconds, by
     * arithmetic; any other form goes through {@link Instant#parse}.
     */
    static long instantMillis(byte[] b, int from, int to) {
        int len = to - from;
        if (len >= 20 && b[from + 4] == '-' && b[from + 7] == '-' && b[from + 10] == 'T' && b[from + 13] == ':'
                && b[from + 16] == ':' && b[to - 1] == 'Z' && (len == 20 || b[from + 19] == '.')) {
            int year = digits(b, from, 4);
            int month = digits(b, from + 5, 2);
            int day = digits(b, from + 8, 2);
            int hour = digits(b, from + 11, 2);
            int minute = digits(b, from + 14, 2);
            int second = digits(b, from + 17, 2);
            int millis = 0;
            boolean good = year >= 0 && month >= 1 && day >= 1 && hour >= 0 && minute >= 0 && second >= 0;
            for (int k = 0; k < 3 && good; k++) {
                int at = from + 20 + k;
                int digit = at < to - 1 ? b[at] - '0' : 0;
                good = digit >= 0 && digit <= 9;
                millis = millis * 10 + digit;
            }
            if (good) {
                long days = epochDay(year, month, day);
                return ((days * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
            }
        }
        return Instant.parse(new String(b, from, len, StandardCharsets.US_ASCII)).toEpochMilli();
    }

    private static int digits(byte[] b, int from, int count) {
        int value = 0;
        for (int k = 0; k < count; k++) {
            int digit = b[from + k] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }
}

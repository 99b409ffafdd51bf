package dev.runwire.system.surface;

import static dev.runwire.system.support.SystemUnderTest.ADMIN_TOKEN;
import static dev.runwire.system.support.SystemUnderTest.owner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Requests a client gets wrong at the HTTP and JSON level, on each surface: every one is a 4xx in the envelope of the
 * surface the request was for (JSON:API natively and for Zapier, talkover's {@code {success: false, message, code}},
 * Composio's {@code {data, successful: false, successfull: false, error, logId}}), never a class name or stack trace,
 * and nothing is written. Sent over a raw socket, as most of these cannot be sent by an HTTP client library.
 */
class EdgeIT {

    @SharedApi
    static ServiceProcess api;
    @NewOwner
    static Owner owner;

    /** A surface: a path to read, a path to write, and its envelope. */
    enum Surface {
        NATIVE("/v1/actions", "/v1/actions"), ZAPIER("/actions/v1/stored-actions", "/actions/v1/stored-actions"),
        TALKOVER("/api/v1/agents", "/api/v1/agents"),
        COMPOSIO("/api/v1/connectedAccounts", "/api/v2/actions/edge_action/execute");

        final String read;
        final String write;

        Surface(String read, String write) {
            this.read = read;
            this.write = write;
        }

        /** The surface's envelope, with the status where the envelope carries it; returns the readable message. */
        String assertEnvelope(Answer answer, int status) {
            assertEquals(status, answer.status, this + ": " + answer);
            assertTrue(answer.contentType().startsWith("application/json"), this + ": " + answer);
            String body = answer.body();
            for (String leak : List.of("Exception", "\tat ", "java.", "dev.runwire", "io.vertx", "com.fasterxml",
                    "io.quarkus", "org.jboss")) {
                assertFalse(body.contains(leak), this + " leaks " + leak + ": " + body);
            }
            JsonPath json = JsonPath.from(body);
            switch (this) {
            case NATIVE, ZAPIER -> {
                assertEquals(Set.of("errors"), json.getMap("").keySet(), body);
                assertEquals(status, json.getInt("errors[0].status"), body);
                assertFalse(json.getString("errors[0].code").isBlank(), body);
                return json.getString("errors[0].detail");
            }
            case TALKOVER -> {
                assertEquals(Set.of("success", "message", "code"), json.getMap("").keySet(), body);
                assertEquals(false, json.getBoolean("success"), body);
                String code = json.getString("code");
                assertEquals(code.toUpperCase(Locale.ROOT), code, "talkover codes are upper-case: " + body);
                return json.getString("message");
            }
            default -> {
                assertEquals(Set.of("data", "successful", "successfull", "error", "logId"), json.getMap("").keySet(),
                        body);
                assertEquals(false, json.getBoolean("successful"), body);
                assertEquals(false, json.getBoolean("successfull"), body);
                assertFalse(json.getString("error").isBlank(), body);
                return json.getString("error");
            }
            }
        }
    }

    // --- the HTTP layer, before any resource

    @Test
    void aMalformedPercentEncodingIs400InEachEnvelope() throws Exception {
        for (Surface surface : Surface.values()) {
            surface.assertEnvelope(send(get(surface.read + "/%zz")), 400);
        }
    }

    @Test
    void aNulInAPathIs404AndInAQueryParameter400InEachEnvelope() throws Exception {
        for (Surface surface : Surface.values()) {
            surface.assertEnvelope(send(get(surface.read + "/a%00b")), 404);
            String message = surface.assertEnvelope(send(get(surface.read + "?limit=1%00")), 400);
            assertTrue(message.contains("NUL"), message);
        }
        // the path ids of every surface
        for (String path : List.of("/v1/actions/k%00", "/v1/runs/%00", "/api/v1/agents/%00",
                "/api/v1/agents/%00/actions", "/api/v2/actions/a%00", "/actions/v1/stored-actions/%00",
                "/actions/v1/runs/%00")) {
            Answer answer = send(get(path));
            assertEquals(404, answer.status, path + ": " + answer);
        }
    }

    @Test
    void aLongUriIs414AndLargeOrManyHeaders431InEachEnvelope() throws Exception {
        for (Surface surface : Surface.values()) {
            surface.assertEnvelope(send(get(surface.read + "?q=" + "a".repeat(8 * 1024))), 414);
            surface.assertEnvelope(send(get(surface.read, "X-Big: " + "a".repeat(64 * 1024))), 431);
            List<String> many = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                many.add("X-H" + i + ": v");
            }
            surface.assertEnvelope(send(get(surface.read, many.toArray(String[]::new))), 431);
        }
    }

    @Test
    void aBodyOverTheLimitIs413InEachEnvelopeAnnouncedOrChunked() throws Exception {
        byte[] big = ("{\"name\":\"" + "a".repeat(1100 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        long before = rows();
        for (Surface surface : Surface.values()) {
            // announced: the server decides on the header alone, before any of the body
            surface.assertEnvelope(send(raw("POST " + surface.write + " HTTP/1.1\r\nHost: x\r\nx-api-key: "
                    + owner.apiKey() + "\r\nContent-Type: application/json\r\nContent-Length: " + big.length
                    + "\r\nConnection: close\r\n\r\n", new byte[0])), 413);
            // chunked: Quarkus REST's own reader answers 413 without a body (ADR 0027); refused all the same
            assertEquals(413, send(post(surface.write, "application/json", big, true)).status(),
                    "a chunked body over the limit is refused");
        }
        assertEquals(before, rows(), "nothing was written");
    }

    @Test
    void aWrongContentTypeIs415AndUnknownRoutesAndMethods404And405InEachEnvelope() throws Exception {
        for (Surface surface : Surface.values()) {
            surface.assertEnvelope(
                    send(post(surface.write, "text/plain", "{}".getBytes(StandardCharsets.UTF_8), false)), 415);
            surface.assertEnvelope(send(get(surface.read + "/no/such/thing/here")), 404);
        }
        Surface.NATIVE.assertEnvelope(send(request("PATCH", "/v1/actions", "application/json", new byte[0], false)),
                405);
        Surface.TALKOVER.assertEnvelope(send(request("DELETE", "/api/v1/agents", null, new byte[0], false)), 405);
        Surface.COMPOSIO.assertEnvelope(send(request("DELETE", "/api/v1/connectedAccounts", null, new byte[0], false)),
                405);
        Surface.ZAPIER.assertEnvelope(
                send(request("PUT", "/actions/v1/stored-actions", "application/json", new byte[0], false)), 405);
        Surface.NATIVE.assertEnvelope(send(get("/no-such-route")), 404);
    }

    /**
     * What the HTTP decoder refuses before any handler: Vert.x answers it with its fixed invalid-request handler, a
     * status without a body, which Quarkus offers no way to replace (docs/adr/0027-error-envelopes.md). What holds: a
     * 400, the connection closed, nothing written.
     */
    @Test
    void requestsTheDecoderRefusesAre400AndWriteNothing() throws Exception {
        long before = rows();
        byte[] body = "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        for (Surface surface : Surface.values()) {
            assertEquals(400,
                    send(raw("POST " + surface.write + " HTTP/1.1\r\nHost: x\r\nx-api-key: " + owner.apiKey()
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                            + "\r\nContent-Length: " + body.length + "\r\n\r\n", body)).status,
                    "two Content-Lengths");
            assertEquals(400,
                    send(raw("POST " + surface.write + " HTTP/1.1\r\nHost: x\r\nx-api-key: " + owner.apiKey()
                            + "\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n", body)).status,
                    "a negative Content-Length");
            assertEquals(400, send(get(surface.read, "X-Note: a\0b")).status, "a NUL in a header");
        }
        assertEquals(before, rows(), "nothing was written");
    }

    // --- JSON bodies

    @Test
    void aDuplicatedKeyIs400NamingItAndWritesNothing() throws Exception {
        long owners = count("select count(*) from api.owners");
        Answer created = send(request("POST", "/admin/owners", "application/json",
                "{\"name\":\"a\",\"name\":\"b\"}".getBytes(StandardCharsets.UTF_8), false,
                "Authorization: Bearer " + ADMIN_TOKEN));
        String message = Surface.NATIVE.assertEnvelope(created, 400);
        assertTrue(message.contains("\"name\""), message);
        assertEquals("/name", JsonPath.from(created.body()).getString("errors[0].source.pointer"));
        assertEquals(owners, count("select count(*) from api.owners"), "no owner was created");

        message = Surface.NATIVE.assertEnvelope(send(post("/v1/callbacks/recover", "application/json",
                "{\"since\":\"2026-01-01T00:00:00Z\",\"since\":\"2026-01-02T00:00:00Z\"}"
                        .getBytes(StandardCharsets.UTF_8),
                false)), 400);
        assertTrue(message.contains("\"since\""), message);

        long before = rows();
        for (Surface surface : Surface.values()) {
            message = surface.assertEnvelope(
                    send(post(surface.write, "application/json",
                            "{\"name\":\"a\",\"input\":{\"k\":1,\"k\":2}}".getBytes(StandardCharsets.UTF_8), false)),
                    400);
            assertTrue(message.contains("\"k\""), surface + ": " + message);
        }
        assertEquals(before, rows(), "nothing was written");
    }

    @Test
    void aNulInAnyStringOrKeyOfABodyIs400WithAPointer() throws Exception {
        long owners = count("select count(*) from api.owners");
        Answer named = send(request("POST", "/admin/owners", "application/json",
                "{\"name\":\"a\\u0000b\"}".getBytes(StandardCharsets.UTF_8), false,
                "Authorization: Bearer " + ADMIN_TOKEN));
        Surface.NATIVE.assertEnvelope(named, 400);
        assertEquals("/name", JsonPath.from(named.body()).getString("errors[0].source.pointer"));
        assertEquals(owners, count("select count(*) from api.owners"), "no owner was created");

        long before = rows();
        for (String body : List.of("{\"name\":\"a\\u0000\"}",
                "{\"name\":\"a\",\"input\":{\"deep\":[{\"x\":\"\\u0000\"}]}}",
                "{\"name\":\"a\",\"input\":{\"k\\u0000\":1}}")) {
            for (Surface surface : Surface.values()) {
                String message = surface.assertEnvelope(
                        send(post(surface.write, "application/json", body.getBytes(StandardCharsets.UTF_8), false)),
                        400);
                assertTrue(message.contains("NUL"), surface + ": " + message);
            }
        }
        Answer deep = send(post("/v1/actions", "application/json",
                "{\"name\":\"a\",\"input\":{\"deep\":[{\"x\":\"\\u0000\"}]}}".getBytes(StandardCharsets.UTF_8), false));
        assertEquals("/input/deep/0/x", JsonPath.from(deep.body()).getString("errors[0].source.pointer"));
        assertEquals(before, rows(), "nothing was written");
    }

    @Test
    void invalidUtf8DeepNestingAndLongNumbersAre400() throws Exception {
        byte[] invalid = { '{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}' };
        String deep = "{\"name\":\"a\",\"input\":" + "{\"a\":".repeat(150) + "1" + "}".repeat(150) + "}";
        String number = "{\"name\":\"a\",\"input\":{\"n\":" + "9".repeat(500) + "}}";
        long before = rows();
        for (Surface surface : Surface.values()) {
            surface.assertEnvelope(send(post(surface.write, "application/json", invalid, false)), 400);
            String message = surface.assertEnvelope(
                    send(post(surface.write, "application/json", deep.getBytes(StandardCharsets.UTF_8), false)), 400);
            assertTrue(message.contains("deeper"), message);
            message = surface.assertEnvelope(
                    send(post(surface.write, "application/json", number.getBytes(StandardCharsets.UTF_8), false)), 400);
            assertTrue(message.contains("number"), message);
        }
        assertEquals(before, rows(), "nothing was written");
    }

    // --- helpers

    /** Rows an owner's requests could have written. */
    static long rows() throws SQLException {
        String id = "'" + owner.id() + "'";
        return count("select (select count(*) from api.actions where owner_id = " + id
                + ") + (select count(*) from api.runs where owner_id = " + id
                + ") + (select count(*) from api.agents where owner_id = " + id
                + ") + (select count(*) from api.stored_actions where owner_id = " + id + ")");
    }

    static long count(String sql) throws SQLException {
        return ((Number) query(sql).get(0).get(0)).longValue();
    }

    static byte[] get(String path, String... headers) {
        return request("GET", path, null, new byte[0], false, headers);
    }

    static byte[] post(String path, String contentType, byte[] body, boolean chunked) {
        return request("POST", path, contentType, body, chunked);
    }

    /** A request with the owner's key (as x-api-key and as a bearer token, so every surface takes it). */
    static byte[] request(String method, String path, String contentType, byte[] body, boolean chunked,
            String... headers) {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        boolean admin = headers.length > 0 && headers[0].startsWith("Authorization");
        if (!admin) {
            head.append("x-api-key: ").append(owner.apiKey()).append("\r\n");
            head.append("Authorization: Bearer ").append(owner.apiKey()).append("\r\n");
        }
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        byte[] payload = body;
        if (chunked) {
            head.append("Transfer-Encoding: chunked\r\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(body);
            out.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            payload = out.toByteArray();
        } else if (body.length > 0 || !method.equals("GET")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        return raw(head.toString(), payload);
    }

    static byte[] raw(String head, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** An answer read off the socket. */
    record Answer(int status, String head, String body) {
        String contentType() {
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
                    return line.substring("content-type:".length()).trim();
                }
            }
            return "";
        }

        @Override
        public String toString() {
            return head.split("\r\n")[0] + " | " + (body.length() > 300 ? body.substring(0, 300) : body);
        }
    }

    /** Sends the bytes and reads the answer until the server closes the connection (the request asks it to). */
    static Answer send(byte[] request) throws IOException {
        java.net.URI base = java.net.URI.create(api.url());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            // written beside the reading: the server may answer (and close) before it has read all of a request
            Thread writer = new Thread(() -> {
                try {
                    out.write(request);
                    out.flush();
                } catch (IOException e) {
                    // the server closed first: its answer is what counts
                }
            }, "edge-writer");
            writer.start();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0;) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // a reset after the answer: what was read is the answer
            }
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String text = answer.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            String body = split < 0 ? "" : text.substring(split + 4);
            if (head.isEmpty()) {
                throw new IOException("no answer to "
                        + new String(request, 0, Math.min(120, request.length), StandardCharsets.ISO_8859_1));
            }
            return new Answer(Integer.parseInt(head.split(" ")[1]), head, chunkedBody(head, body));
        }
    }

    private static String chunkedBody(String head, String body) {
        if (!head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
            return body;
        }
        StringBuilder out = new StringBuilder();
        String rest = body;
        while (true) {
            int eol = rest.indexOf("\r\n");
            if (eol < 0) {
                return out.toString();
            }
            int size = Integer.parseInt(rest.substring(0, eol).trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(rest, eol + 2, eol + 2 + size);
            rest = rest.substring(eol + 2 + size + 2);
        }
    }

}

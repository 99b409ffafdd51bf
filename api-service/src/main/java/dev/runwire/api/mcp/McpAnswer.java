package dev.runwire.api.mcp;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Multi;

import dev.runwire.model.json.Json;

/**
 * The answer to one POST on an MCP endpoint: a status, headers and a body that is either one JSON document or, for a
 * {@code tools/call} answered as a stream, server-sent events ending with the call's response (ADR 0034).
 */
record McpAnswer(int status, Map<String, List<String>> headers, Multi<byte[]> body) {

    static final String EVENT_STREAM = "text/event-stream";

    static McpAnswer json(int status, JsonNode body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of(MediaType.APPLICATION_JSON));
        return new McpAnswer(status, headers,
                Multi.createFrom().item(Json.write(body).getBytes(StandardCharsets.UTF_8)));
    }

    static McpAnswer accepted() {
        return new McpAnswer(202, new LinkedHashMap<>(), Multi.createFrom().empty());
    }

    static McpAnswer noContent() {
        return new McpAnswer(204, new LinkedHashMap<>(), Multi.createFrom().empty());
    }

    /** A stream of events; each item a whole {@code data:} frame. */
    static McpAnswer events(Multi<byte[]> frames) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of(EVENT_STREAM));
        headers.put("Cache-Control", List.of("no-cache"));
        headers.put("X-Accel-Buffering", List.of("no"));
        return new McpAnswer(200, headers, frames);
    }

    /** An answer built as a JAX-RS response (the error seam's refusals), carried over as it is. */
    static McpAnswer of(Response response) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        response.getStringHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
        Object entity = response.getEntity();
        if (entity == null) {
            return new McpAnswer(response.getStatus(), headers, Multi.createFrom().empty());
        }
        headers.putIfAbsent("Content-Type", List.of(MediaType.APPLICATION_JSON));
        byte[] bytes = entity instanceof String text ? text.getBytes(StandardCharsets.UTF_8)
                : Json.write(entity).getBytes(StandardCharsets.UTF_8);
        return new McpAnswer(response.getStatus(), headers, Multi.createFrom().item(bytes));
    }

    McpAnswer header(String name, String value) {
        Map<String, List<String>> copy = new LinkedHashMap<>(headers);
        copy.put(name, List.of(value));
        return new McpAnswer(status, copy, body);
    }

    McpAnswer headers(Map<String, String> more) {
        Map<String, List<String>> copy = new LinkedHashMap<>(headers);
        more.forEach((name, value) -> copy.putIfAbsent(name, List.of(value)));
        return new McpAnswer(status, copy, body);
    }
}

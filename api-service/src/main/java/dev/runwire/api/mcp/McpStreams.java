package dev.runwire.api.mcp;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.json.Json;

/**
 * The SSE answers of {@code tools/call} requests ({@code api.mcp_streams}, ADR 0034 "Resuming a stream"): the call's
 * JSON-RPC id, progress token, tool and input, under the stream id its event ids carry, so that a {@code GET} with
 * {@code Last-Event-ID} reaching any replica rebuilds the rest of the stream from the run's stored events. A stream
 * belongs to one server, its owner and (when the call had one) its session; another's id is no stream.
 */
@ApplicationScoped
public class McpStreams {

    /** A stream as its call left it. */
    public record Stream(UUID id, UUID sessionId, UUID runId, JsonNode requestId, JsonNode progressToken, String tool,
            JsonNode input) {
    }

    private final Pool pool;

    McpStreams(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> open(McpServer server, Stream stream) {
        return pool.preparedQuery("""
                insert into api.mcp_streams (id, server_id, owner_id, session_id, run_id, request_id, progress_token,
                    tool, input, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10)""")
                .execute(Tuple.from(new Object[] { stream.id(), server.id(), server.ownerId(), stream.sessionId(),
                        stream.runId(), Json.write(stream.requestId()),
                        stream.progressToken() == null ? null : Json.write(stream.progressToken()), stream.tool(),
                        Json.write(stream.input()), OffsetDateTime.now(ZoneOffset.UTC) }))
                .replaceWithVoid();
    }

    /** The server's stream with this id, or null. */
    public Uni<Stream> find(McpServer server, UUID id) {
        return pool.preparedQuery("""
                select session_id, run_id, request_id, progress_token, tool, input::text from api.mcp_streams
                where id = $1 and server_id = $2 and owner_id = $3""")
                .execute(Tuple.of(id, server.id(), server.ownerId())).map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    String token = row.getString(3);
                    return new Stream(id, row.getUUID(0), row.getUUID(1), Json.read(row.getString(2), JsonNode.class),
                            token == null ? null : Json.read(token, JsonNode.class), row.getString(4),
                            Json.read(row.getString(5), JsonNode.class));
                });
    }
}

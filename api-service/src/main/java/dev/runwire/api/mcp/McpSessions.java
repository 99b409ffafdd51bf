package dev.runwire.api.mcp;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.json.Json;

/**
 * MCP sessions ({@code api.mcp_sessions}, ADR 0034): what a client declared in {@code initialize}, kept under the
 * {@code Mcp-Session-Id} handed out, so that any replica answering a later request of that client knows whether it may
 * ask through elicitation. A session belongs to one server and its owner; another's id is no session.
 */
@ApplicationScoped
public class McpSessions {

    /** A session: the negotiated version and the client's capabilities as it sent them. */
    public record Session(UUID id, String protocolVersion, JsonNode capabilities) {

        /** Whether the client takes form-mode elicitation (an empty {@code elicitation} object means form). */
        public boolean elicitsForms() {
            JsonNode elicitation = capabilities.path("elicitation");
            return elicitation.isObject() && (elicitation.isEmpty() || elicitation.has("form"));
        }

        /** Whether the client takes URL-mode elicitation (2025-11-25). */
        public boolean elicitsUrls() {
            return capabilities.path("elicitation").path("url").isObject();
        }
    }

    private final Pool pool;

    McpSessions(Pool pool) {
        this.pool = pool;
    }

    public Uni<UUID> create(McpServer server, String protocolVersion, JsonNode capabilities) {
        UUID id = UUID.randomUUID();
        return pool.preparedQuery("""
                insert into api.mcp_sessions (id, server_id, owner_id, protocol_version, capabilities, created_at)
                values ($1, $2, $3, $4, $5::text::jsonb, $6)""").execute(Tuple.of(id, server.id(), server.ownerId(),
                protocolVersion, Json.write(capabilities), OffsetDateTime.now(ZoneOffset.UTC))).replaceWith(id);
    }

    /** The server's session with this id, or null. */
    public Uni<Session> find(McpServer server, UUID id) {
        return pool.preparedQuery("""
                select protocol_version, capabilities::text from api.mcp_sessions
                where id = $1 and server_id = $2 and owner_id = $3""")
                .execute(Tuple.of(id, server.id(), server.ownerId()))
                .map(rows -> rows.size() == 0 ? null : new Session(id, rows.iterator().next().getString(0),
                        Json.read(rows.iterator().next().getString(1), JsonNode.class)));
    }

    /** Ends the server's session; false when there was none with this id. */
    public Uni<Boolean> end(McpServer server, UUID id) {
        return pool.preparedQuery("delete from api.mcp_sessions where id = $1 and server_id = $2 and owner_id = $3")
                .execute(Tuple.of(id, server.id(), server.ownerId())).map(rows -> rows.rowCount() == 1);
    }
}

package dev.runwire.api.mcp;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The runs of an MCP server's {@code tools/call} requests by their JSON-RPC id ({@code api.mcp_calls}), so that a
 * {@code notifications/cancelled} reaching any replica finds the run (ADR 0034). Ids are kept as their JSON rendering.
 */
@ApplicationScoped
public class McpCallStore {

    private final Pool pool;

    McpCallStore(Pool pool) {
        this.pool = pool;
    }

    /** Ties the request to the run it started. */
    public Uni<Void> record(McpServer server, String requestId, UUID runId) {
        return pool.preparedQuery("""
                insert into api.mcp_calls (server_id, request_id, owner_id, run_id, created_at)
                values ($1, $2, $3, $4, $5)""")
                .execute(Tuple.of(server.id(), requestId, server.ownerId(), runId, OffsetDateTime.now(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    /** The run of the newest call with this request id on the owner's server, or null. */
    public Uni<UUID> runOf(UUID ownerId, UUID serverId, String requestId) {
        return pool.preparedQuery("""
                select run_id from api.mcp_calls where server_id = $1 and request_id = $2 and owner_id = $3
                order by created_at desc limit 1""").execute(Tuple.of(serverId, requestId, ownerId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("run_id"));
    }
}

package dev.runwire.api.mcp;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Approvals asked of MCP clients through {@code elicitation/create} ({@code api.mcp_elicitations}, ADR 0034): the
 * replica waiting on the call writes the row when it asks; the client's response, POSTed to any replica, finds it by
 * the id the server sent, within the same server, owner and session, and settles it once.
 */
@ApplicationScoped
public class McpElicitations {

    /** An open approval request. */
    public record Pending(UUID id, UUID runId, String stepId, String approveToken, String denyToken) {
    }

    /** Where a request stands: {@code open}, {@code approved}, {@code denied}, {@code cancelled} or {@code refused}. */
    public record State(String state, String detail) {
    }

    /** An elicitation asked already, where it stands. */
    public record Asked(UUID id, String state, String detail) {
    }

    private final Pool pool;

    McpElicitations(Pool pool) {
        this.pool = pool;
    }

    public Uni<UUID> open(McpServer server, UUID sessionId, UUID runId, String stepId, String approveToken,
            String denyToken) {
        UUID id = UUID.randomUUID();
        return pool.preparedQuery("""
                insert into api.mcp_elicitations (id, server_id, owner_id, session_id, run_id, step_id, approve_token,
                    deny_token, state, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9)""")
                .execute(Tuple.from(new Object[] { id, server.id(), server.ownerId(), sessionId, runId, stepId,
                        approveToken, denyToken, OffsetDateTime.now(ZoneOffset.UTC) }))
                .replaceWith(id);
    }

    /** The open request with this id of this server, owner and session, or null. */
    public Uni<Pending> pending(McpServer server, UUID sessionId, UUID id) {
        return pool.preparedQuery("""
                select run_id, step_id, approve_token, deny_token from api.mcp_elicitations
                where id = $1 and server_id = $2 and owner_id = $3 and session_id = $4 and state = 'open'""")
                .execute(Tuple.of(id, server.id(), server.ownerId(), sessionId)).map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    return new Pending(id, row.getUUID(0), row.getString(1), row.getString(2), row.getString(3));
                });
    }

    /**
     * The newest elicitation of this server, owner and session for the run's approval at that step (null: the run's
     * own), or null: what a resumed stream or a retried call asks again instead of a new one.
     */
    public Uni<Asked> existing(McpServer server, UUID sessionId, UUID runId, String stepId) {
        return pool.preparedQuery("""
                select id, state, detail from api.mcp_elicitations
                where server_id = $1 and owner_id = $2 and session_id = $3 and run_id = $4
                    and step_id is not distinct from $5
                order by created_at desc limit 1""")
                .execute(Tuple.of(server.id(), server.ownerId(), sessionId, runId, stepId)).map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    return new Asked(row.getUUID(0), row.getString(1), row.getString(2));
                });
    }

    /** Moves an open request to its answer; false when it was answered already. */
    public Uni<Boolean> settle(UUID id, String state, String detail) {
        return pool.preparedQuery("""
                update api.mcp_elicitations set state = $2, detail = $3, answered_at = $4
                where id = $1 and state = 'open'""")
                .execute(Tuple.of(id, state, detail, OffsetDateTime.now(ZoneOffset.UTC)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Where the request stands, or null when it is gone. */
    public Uni<State> state(UUID id) {
        return pool.preparedQuery("select state, detail from api.mcp_elicitations where id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null
                        : new State(rows.iterator().next().getString(0), rows.iterator().next().getString(1)));
    }
}

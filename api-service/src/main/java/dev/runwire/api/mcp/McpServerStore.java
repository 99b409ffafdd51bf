package dev.runwire.api.mcp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** MCP servers as stored ({@code api.mcp_servers}); every statement is scoped to the owner, except the token check. */
@ApplicationScoped
public class McpServerStore {

    private static final String COLUMNS = "id, owner_id, name, user_id, action_keys, integration_keys, approval, created_at";

    private final Pool pool;

    McpServerStore(Pool pool) {
        this.pool = pool;
    }

    /** A server and the hash of its token, as the endpoint reads it. */
    public record Stored(McpServer server, String tokenHash) {
    }

    /** Inserts the server unless the owner has {@code max} already: false then, and nothing is written. */
    public Uni<Boolean> insert(McpServer server, String tokenHash, int max) {
        return pool.preparedQuery("""
                insert into api.mcp_servers (id, owner_id, name, user_id, action_keys, integration_keys, token_hash,
                                             created_at, approval)
                select $1, $2, $3, $4, $5, $6, $7, $8, $10
                where (select count(*) from api.mcp_servers where owner_id = $2) < $9""")
                .execute(Tuple.tuple().addUUID(server.id()).addUUID(server.ownerId()).addString(server.name())
                        .addString(server.userId()).addArrayOfString(server.actionKeys().toArray(String[]::new))
                        .addArrayOfString(server.integrationKeys().toArray(String[]::new)).addString(tokenHash)
                        .addOffsetDateTime(server.createdAt()).addInteger(max).addString(server.approval()))
                .map(rows -> rows.rowCount() == 1);
    }

    /** The owner's servers, oldest first. */
    public Uni<List<McpServer>> list(UUID ownerId, int page, int pageSize) {
        return pool
                .preparedQuery("select " + COLUMNS
                        + " from api.mcp_servers where owner_id = $1 order by created_at, id limit $2 offset $3")
                .execute(Tuple.of(ownerId, pageSize, (page - 1) * pageSize)).map(rows -> {
                    List<McpServer> servers = new ArrayList<>();
                    rows.forEach(row -> servers.add(server(row)));
                    return servers;
                });
    }

    /** The owner's server, or null. */
    public Uni<McpServer> find(UUID ownerId, UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from api.mcp_servers where owner_id = $1 and id = $2")
                .execute(Tuple.of(ownerId, id)).map(rows -> rows.size() == 0 ? null : server(rows.iterator().next()));
    }

    /** A server with its token's hash, whoever owns it (the endpoint decides who may use it), or null. */
    public Uni<Stored> stored(UUID id) {
        return pool.preparedQuery("select " + COLUMNS + ", token_hash from api.mcp_servers where id = $1")
                .execute(Tuple.of(id)).map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    return new Stored(server(row), row.getString("token_hash"));
                });
    }

    /** Deletes the owner's server: the deleted one, or null when there was none. */
    public Uni<McpServer> delete(UUID ownerId, UUID id) {
        return pool.preparedQuery("delete from api.mcp_servers where owner_id = $1 and id = $2 returning " + COLUMNS)
                .execute(Tuple.of(ownerId, id)).map(rows -> rows.size() == 0 ? null : server(rows.iterator().next()));
    }

    /** Of these action keys, those the owner has no action with (in any version). */
    public Uni<Set<String>> unknownActionKeys(UUID ownerId, Collection<String> keys) {
        return unknown("select distinct key from api.actions where owner_id = $1 and key = any($2)", ownerId, keys);
    }

    /** Of these integration keys, those the owner has no integration with. */
    public Uni<Set<String>> unknownIntegrationKeys(UUID ownerId, Collection<String> keys) {
        return unknown("select key from api.integrations where owner_id = $1 and key = any($2)", ownerId, keys);
    }

    private Uni<Set<String>> unknown(String sql, UUID ownerId, Collection<String> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return pool.preparedQuery(sql).execute(Tuple.of(ownerId, keys.toArray(String[]::new))).map(rows -> {
            Set<String> missing = new HashSet<>(keys);
            rows.forEach(row -> missing.remove(row.getString(0)));
            return missing;
        });
    }

    private static McpServer server(Row row) {
        return new McpServer(row.getUUID("id"), row.getUUID("owner_id"), row.getString("name"),
                row.getString("user_id"), Arrays.asList(row.getArrayOfStrings("action_keys")),
                Arrays.asList(row.getArrayOfStrings("integration_keys")), row.getString("approval"),
                row.getOffsetDateTime("created_at"));
    }
}

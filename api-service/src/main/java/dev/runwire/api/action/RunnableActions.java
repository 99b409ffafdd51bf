package dev.runwire.api.action;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.json.Json;

/**
 * The newest version of an action with its integration's base URL, read in one statement on the hot path of every run.
 * The parsed parts of a version are kept by version id: versions never change, so the cache cannot go stale.
 */
@ApplicationScoped
public class RunnableActions {

    private static final int MAX_ENTRIES = 10_000;

    private final Pool pool;
    private final Map<UUID, Parsed> parsed = new ConcurrentHashMap<>();

    RunnableActions(Pool pool) {
        this.pool = pool;
    }

    /** An action version ready to run. {@code baseUrl} is null when its integration is gone. */
    public record RunnableAction(UUID id, String key, int version, boolean active, String intent, String type,
            String inputSchema, boolean useDefaultMapping, int timeoutMs, String baseUrl, Parsed parsed) {
    }

    /** The JSON parts of a version, parsed once. */
    public record Parsed(ActionRequest.HttpTemplate http, Map<String, String> outputMapping, JsonNode outputSchema) {
    }

    /** The newest version of the owner's action, or null. */
    public Uni<RunnableAction> latest(UUID ownerId, String key) {
        return pool.preparedQuery("""
                select a.id, a.key, a.version, a.active, a.intent, a.type, a.input_schema, a.output_schema,
                       a.use_default_mapping, a.output_mapping, a.http, a.timeout_ms, i.base_url
                from api.actions a
                left join api.integrations i on i.owner_id = a.owner_id and i.key = (a.http::jsonb ->> 'integrationKey')
                where a.owner_id = $1 and a.key = $2
                order by a.version desc limit 1""").execute(Tuple.of(ownerId, key))
                .map(rows -> rows.size() == 0 ? null : toAction(rows.iterator().next()));
    }

    private RunnableAction toAction(Row row) {
        UUID id = row.getUUID("id");
        if (parsed.size() > MAX_ENTRIES) {
            parsed.clear();
        }
        Parsed parts = parsed.computeIfAbsent(id,
                ignored -> new Parsed(Json.read(row.getString("http"), new TypeReference<ActionRequest.HttpTemplate>() {
                }), Json.read(row.getString("output_mapping"), new TypeReference<Map<String, String>>() {
                }), Json.tree(row.getString("output_schema"))));
        return new RunnableAction(id, row.getString("key"), row.getInteger("version"), row.getBoolean("active"),
                row.getString("intent"), row.getString("type"), row.getString("input_schema"),
                row.getBoolean("use_default_mapping"), row.getInteger("timeout_ms"), row.getString("base_url"), parts);
    }
}

package dev.runwire.api.action;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.action.ActionSafety;
import dev.runwire.model.action.SideEffects;

/**
 * The versions of the owners' actions as stored ({@code api.actions}, unique by owner, key and version), in SQL, for
 * the registry's endpoints; {@link RunnableActions} reads them for runs. Hands out {@link ActionVersion} records.
 */
@ApplicationScoped
public class ActionVersions {

    private static final String COLUMNS = """
            id, owner_id, key, version, active, intent, description, type, input_schema, output_schema,
            use_default_mapping, output_mapping, http, timeout_ms, retry, side_effects, destructive,
            accepts_idempotency_key, key_created_at, created_at""";

    private final Pool pool;

    ActionVersions(Pool pool) {
        this.pool = pool;
    }

    /** The newest version of the owner's action, or null. */
    Uni<ActionVersion> latest(UUID ownerId, String key) {
        return latest(pool, ownerId, key);
    }

    /** The newest version of the owner's action, or null, read with {@code client} (a transaction's connection). */
    Uni<ActionVersion> latest(SqlClient client, UUID ownerId, String key) {
        return client
                .preparedQuery("select " + COLUMNS
                        + " from api.actions where owner_id = $1 and key = $2 order by version desc limit 1")
                .execute(Tuple.of(ownerId, key)).map(ActionVersions::first);
    }

    /** One version of the owner's action, or null. */
    Uni<ActionVersion> version(UUID ownerId, String key, int version) {
        return pool
                .preparedQuery(
                        "select " + COLUMNS + " from api.actions where owner_id = $1 and key = $2 and version = $3")
                .execute(Tuple.of(ownerId, key, version)).map(ActionVersions::first);
    }

    /** The newest version of each of the owner's actions, by key. */
    Uni<List<ActionVersion>> latestOfEach(UUID ownerId) {
        return pool
                .preparedQuery("select distinct on (key) " + COLUMNS
                        + " from api.actions where owner_id = $1 order by key, version desc")
                .execute(Tuple.of(ownerId)).map(rows -> {
                    List<ActionVersion> all = new ArrayList<>();
                    rows.forEach(row -> all.add(version(row)));
                    return all;
                });
    }

    /**
     * Stores a version.
     *
     * @return the stored version, or null when the owner's action already has one with its number (the unique key
     *         decides, so two concurrent writers cannot both store the same version)
     */
    Uni<ActionVersion> insert(SqlConnection conn, ActionVersion v) {
        return conn.preparedQuery("""
                insert into api.actions (id, owner_id, key, version, active, intent, description, type, input_schema,
                                         output_schema, use_default_mapping, output_mapping, http, timeout_ms, retry,
                                         side_effects, destructive, accepts_idempotency_key, key_created_at, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
                on conflict (owner_id, key, version) do nothing
                returning\s""" + COLUMNS)
                .execute(Tuple.from(new Object[] { v.id(), v.ownerId(), v.key(), v.version(), v.active(), v.intent(),
                        v.description(), v.type(), v.inputSchema(), v.outputSchema(), v.useDefaultMapping(),
                        v.outputMapping(), v.http(), v.timeoutMs(), v.retry(), v.safety().sideEffects().wire(),
                        v.safety().destructive(), v.safety().acceptsIdempotencyKey(),
                        v.keyCreatedAt().atOffset(ZoneOffset.UTC), v.createdAt().atOffset(ZoneOffset.UTC) }))
                .map(ActionVersions::first);
    }

    /**
     * Switches off every version of the owner's action.
     *
     * @return whether the owner has such an action
     */
    Uni<Boolean> deactivate(SqlConnection conn, UUID ownerId, String key) {
        return conn.preparedQuery("update api.actions set active = false where owner_id = $1 and key = $2")
                .execute(Tuple.of(ownerId, key)).map(rows -> rows.rowCount() > 0);
    }

    /** The declaration stored with a version (columns {@code side_effects}, {@code destructive}, ...). */
    static ActionSafety safety(Row row) {
        return new ActionSafety(SideEffects.fromWire(row.getString("side_effects")), row.getBoolean("destructive"),
                row.getBoolean("accepts_idempotency_key"));
    }

    private static ActionVersion first(RowSet<Row> rows) {
        return rows.size() == 0 ? null : version(rows.iterator().next());
    }

    /** The version of a row selected with {@link #COLUMNS}. */
    private static ActionVersion version(Row row) {
        return new ActionVersion(row.getUUID("id"), row.getUUID("owner_id"), row.getString("key"),
                row.getInteger("version"), row.getBoolean("active"), row.getString("intent"),
                row.getString("description"), row.getString("type"), row.getString("input_schema"),
                row.getString("output_schema"), row.getBoolean("use_default_mapping"), row.getString("output_mapping"),
                row.getString("http"), row.getInteger("timeout_ms"), row.getString("retry"), safety(row),
                row.getOffsetDateTime("key_created_at").toInstant(), row.getOffsetDateTime("created_at").toInstant());
    }
}

package dev.runwire.api.zapier;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.model.json.Json;

/** Stored actions in SQL; every statement is scoped to the owner. */
@ApplicationScoped
public class StoredActionStore {

    private static final String COLUMNS = "id, action_key, selected_api, action_type, title, inputs::text as inputs_json, "
            + "connection_id, created_at, updated_at";

    private final Pool pool;

    StoredActionStore(Pool pool) {
        this.pool = pool;
    }

    Uni<StoredActionView> insert(UUID ownerId, StoredActionView.Attributes a) {
        return pool.preparedQuery("""
                insert into api.stored_actions (id, owner_id, action_key, selected_api, action_type, title, inputs,
                                                connection_id, created_at, updated_at)
                values ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8, now(), now())
                returning\s""" + COLUMNS)
                .execute(Tuple.from(new Object[] { UUID.randomUUID(), ownerId, a.actionKey(), a.selectedApi(),
                        a.actionType(), a.title(), Json.write(a.inputs()), a.connectionId() }))
                .map(rows -> view(rows.iterator().next()));
    }

    Uni<StoredActionView> find(UUID ownerId, UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from api.stored_actions where id = $1 and owner_id = $2")
                .execute(Tuple.of(id, ownerId)).map(rows -> rows.size() == 0 ? null : view(rows.iterator().next()));
    }

    Uni<List<StoredActionView>> list(UUID ownerId, int limit, int offset) {
        return pool.preparedQuery("select " + COLUMNS
                + " from api.stored_actions where owner_id = $1 order by created_at desc, id desc limit $2 offset $3")
                .execute(Tuple.of(ownerId, limit, offset)).map(rows -> {
                    List<StoredActionView> list = new ArrayList<>();
                    rows.forEach(row -> list.add(view(row)));
                    return list;
                });
    }

    /** Writes the whole new state (the resource merged the changes); null when there is no such stored action. */
    Uni<StoredActionView> update(UUID ownerId, UUID id, StoredActionView.Attributes a) {
        return pool.preparedQuery("""
                update api.stored_actions set action_key = $3, selected_api = $4, action_type = $5, title = $6,
                       inputs = $7::text::jsonb, connection_id = $8, updated_at = now()
                where id = $1 and owner_id = $2
                returning\s""" + COLUMNS)
                .execute(Tuple.from(new Object[] { id, ownerId, a.actionKey(), a.selectedApi(), a.actionType(),
                        a.title(), Json.write(a.inputs()), a.connectionId() }))
                .map(rows -> rows.size() == 0 ? null : view(rows.iterator().next()));
    }

    /** The stored action of a row selected with {@link #COLUMNS}. */
    private static StoredActionView view(Row row) {
        return new StoredActionView("stored_action", row.getUUID("id"), row.getString("selected_api"),
                row.getString("action_type"), row.getString("action_key"), row.getString("connection_id"),
                row.getString("title"), Json.tree(row.getString("inputs_json")), row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("updated_at"));
    }

    Uni<Boolean> delete(UUID ownerId, UUID id) {
        return pool.preparedQuery("delete from api.stored_actions where id = $1 and owner_id = $2")
                .execute(Tuple.of(id, ownerId)).map(rows -> rows.rowCount() == 1);
    }
}

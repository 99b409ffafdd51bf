package dev.runwire.api.talkover;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Agents and their actions in SQL, every statement scoped to the owner. */
@ApplicationScoped
public class AgentStore {

    private final Pool pool;

    AgentStore(Pool pool) {
        this.pool = pool;
    }

    /** What an action row holds, JSON members as text. */
    record ActionRow(String name, String label, String description, String type, String inputSchema, String config,
            String actionTrigger, String url, String authorizationUrl, String currentStatus) {
    }

    /** An agent as stored. */
    record Agent(UUID id, String name, String description, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    }

    /** An agent's action as stored, JSON members as text. */
    record AgentAction(UUID id, String name, String label, String description, String type, String inputSchema,
            String config, String actionTrigger, String url, String authorizationUrl, String currentStatus,
            OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    }

    /** An action as saved, and whether it was created (else updated). */
    record Saved(AgentAction action, boolean created) {
    }

    Uni<Agent> createAgent(UUID ownerId, String name, String description) {
        return pool.preparedQuery("""
                insert into api.agents (id, owner_id, name, description, created_at, updated_at)
                values ($1, $2, $3, $4, now(), now()) returning *""")
                .execute(Tuple.of(UUID.randomUUID(), ownerId, name, description))
                .map(rows -> agent(rows.iterator().next()));
    }

    Uni<List<Agent>> agents(UUID ownerId, int limit, int offset) {
        return pool.preparedQuery(
                "select * from api.agents where owner_id = $1 order by created_at desc, id desc limit $2 offset $3")
                .execute(Tuple.of(ownerId, limit, offset)).map(rows -> all(rows, AgentStore::agent));
    }

    Uni<Agent> agent(UUID ownerId, UUID id) {
        return pool.preparedQuery("select * from api.agents where id = $1 and owner_id = $2")
                .execute(Tuple.of(id, ownerId)).map(rows -> rows.size() == 0 ? null : agent(rows.iterator().next()));
    }

    Uni<List<AgentAction>> actions(UUID ownerId, UUID agentId) {
        return pool
                .preparedQuery(
                        "select * from api.agent_actions where agent_id = $1 and owner_id = $2 order by created_at, id")
                .execute(Tuple.of(agentId, ownerId)).map(rows -> all(rows, AgentStore::action));
    }

    /**
     * Creates the action, or updates the agent's action of that name.
     *
     * @return the action, and whether it was created
     */
    Uni<Saved> upsertAction(UUID ownerId, UUID agentId, ActionRow a) {
        return pool.preparedQuery("""
                insert into api.agent_actions (id, owner_id, agent_id, name, label, description, type, input_schema,
                                               config, action_trigger, url, authorization_url, current_status,
                                               created_at, updated_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), now())
                on conflict (agent_id, name) do update set label = excluded.label,
                    description = excluded.description, type = excluded.type, input_schema = excluded.input_schema,
                    config = excluded.config, action_trigger = excluded.action_trigger, url = excluded.url,
                    authorization_url = excluded.authorization_url, current_status = excluded.current_status,
                    updated_at = now()
                returning *, (xmax = 0) as created""")
                .execute(Tuple.from(new Object[] { UUID.randomUUID(), ownerId, agentId, a.name(), a.label(),
                        a.description(), a.type(), a.inputSchema(), a.config(), a.actionTrigger(), a.url(),
                        a.authorizationUrl(), a.currentStatus() }))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Saved(action(row), Boolean.TRUE.equals(row.getBoolean("created")));
                });
    }

    Uni<AgentAction> action(UUID ownerId, UUID agentId, UUID actionId) {
        return pool.preparedQuery("select * from api.agent_actions where id = $1 and agent_id = $2 and owner_id = $3")
                .execute(Tuple.of(actionId, agentId, ownerId))
                .map(rows -> rows.size() == 0 ? null : action(rows.iterator().next()));
    }

    Uni<Boolean> deleteAction(UUID ownerId, UUID agentId, UUID actionId) {
        return pool.preparedQuery("delete from api.agent_actions where id = $1 and agent_id = $2 and owner_id = $3")
                .execute(Tuple.of(actionId, agentId, ownerId)).map(rows -> rows.rowCount() == 1);
    }

    private static Agent agent(Row row) {
        return new Agent(row.getUUID("id"), row.getString("name"), row.getString("description"),
                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
    }

    private static AgentAction action(Row row) {
        return new AgentAction(row.getUUID("id"), row.getString("name"), row.getString("label"),
                row.getString("description"), row.getString("type"), row.getString("input_schema"),
                row.getString("config"), row.getString("action_trigger"), row.getString("url"),
                row.getString("authorization_url"), row.getString("current_status"),
                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
    }

    private static <T> List<T> all(io.vertx.mutiny.sqlclient.RowSet<Row> rows, Function<Row, T> map) {
        List<T> list = new ArrayList<>();
        rows.forEach(row -> list.add(map.apply(row)));
        return list;
    }
}

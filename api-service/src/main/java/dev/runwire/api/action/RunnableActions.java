package dev.runwire.api.action;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.integration.AuthScheme;
import dev.runwire.api.integration.Integration;
import dev.runwire.model.action.ActionSafety;
import dev.runwire.model.command.ActionSpec;
import dev.runwire.model.command.HttpSpec;
import dev.runwire.model.command.RetryPolicy;
import dev.runwire.model.json.Json;

/**
 * The newest version of an action with its integration's base URL, read in one statement on the hot path of every run.
 * The parsed parts of a version are kept by version id: versions never change, so the cache cannot go stale.
 */
@ApplicationScoped
public class RunnableActions {

    private static final int MAX_ENTRIES = 10_000;

    private static final String SELECT = """
            select a.id, a.key, a.version, a.active, a.intent, a.type, a.input_schema, a.output_schema,
                   a.use_default_mapping, a.output_mapping, a.http, a.timeout_ms, a.retry, a.side_effects,
                   a.destructive, a.accepts_idempotency_key, i.base_url,
                   i.active as integration_active, i.auth, i.credentials_invalid
            from api.actions a
            left join api.integrations i on i.owner_id = a.owner_id and i.key = (a.http::jsonb ->> 'integrationKey')
            """;

    private final Pool pool;
    /** Parsed versions by id: a version never changes; unused ones go after an hour. */
    private final Cache<UUID, Parsed> parsed = Caffeine.newBuilder().maximumSize(MAX_ENTRIES)
            .expireAfterAccess(Duration.ofHours(1)).build();
    /** Credential checks by the integration's configuration texts. */
    private final Cache<String, Optional<HttpSpec.CredentialCheck>> checks = Caffeine.newBuilder()
            .maximumSize(MAX_ENTRIES).expireAfterAccess(Duration.ofHours(1)).build();

    RunnableActions(Pool pool) {
        this.pool = pool;
    }

    /**
     * An action version ready to run. {@code baseUrl} is null when its integration is gone; {@code credentialCheck}
     * says which of its integration's answers mean the credentials no longer work.
     */
    public record RunnableAction(UUID id, String key, int version, boolean active, String intent, String type,
            String inputSchema, boolean useDefaultMapping, int timeoutMs, String baseUrl, boolean integrationActive,
            HttpSpec.CredentialCheck credentialCheck, Parsed parsed) {
    }

    /** The JSON parts of a version, parsed once. */
    public record Parsed(ActionRequest.HttpTemplate http, Map<String, String> outputMapping, JsonNode inputSchema,
            JsonNode outputSchema, RetryPolicy retry, ActionSafety safety) {
    }

    /** What the executor needs to run this version: the request template on the integration's current base URL. */
    public static ActionSpec spec(RunnableAction action) {
        ActionRequest.HttpTemplate http = action.parsed().http();
        return new ActionSpec(action.id(), action.key(), action.version(), action.type(),
                new HttpSpec(http.integrationKey(), http.method(), action.baseUrl(), http.path(), http.headers(),
                        http.query(), http.body(), action.credentialCheck()),
                action.useDefaultMapping(), action.parsed().outputMapping(), action.parsed().inputSchema(),
                action.parsed().outputSchema(), action.timeoutMs(), action.parsed().retry(), action.parsed().safety());
    }

    /** The newest version of the owner's action, or null. */
    public Uni<RunnableAction> latest(UUID ownerId, String key) {
        return pool.preparedQuery(SELECT + """
                where a.owner_id = $1 and a.key = $2
                order by a.version desc limit 1""").execute(Tuple.of(ownerId, key))
                .map(rows -> rows.size() == 0 ? null : toAction(rows.iterator().next()));
    }

    /** Every version of the owner's actions with these keys, newest first per key. */
    public Uni<Map<String, List<RunnableAction>>> versions(UUID ownerId, Collection<String> keys) {
        return pool.preparedQuery(SELECT + """
                where a.owner_id = $1 and a.key = any($2)
                order by a.key, a.version desc""").execute(Tuple.of(ownerId, keys.toArray(String[]::new))).map(rows -> {
            Map<String, List<RunnableAction>> byKey = new HashMap<>();
            rows.forEach(row -> byKey.computeIfAbsent(row.getString("key"), k -> new ArrayList<>()).add(toAction(row)));
            return byKey;
        });
    }

    /** The newest version of each of the owner's active actions, by key, at most {@code limit}. */
    public Uni<List<RunnableAction>> activeLatest(UUID ownerId, int limit) {
        return pool.preparedQuery("select * from (" + SELECT + """
                where a.owner_id = $1 and a.version = (select max(v.version) from api.actions v
                                                       where v.owner_id = a.owner_id and v.key = a.key)
                ) latest where latest.active order by latest.key limit $2""").execute(Tuple.of(ownerId, limit))
                .map(rows -> {
                    List<RunnableAction> latest = new ArrayList<>();
                    rows.forEach(row -> latest.add(toAction(row)));
                    return latest;
                });
    }

    /**
     * The newest version of each action in a scope (the actions with these keys, and every action on these
     * integrations) that can run now (active, its integration present and active), by key after {@code afterKey}
     * (empty: from the start; keys are never empty), at most {@code limit}; only keys that begin with {@code keyPrefix}
     * (empty: all). Keys compare by code point ({@code collate "C"}), so the order is the same on every database.
     */
    public Uni<List<RunnableAction>> runnableInScope(UUID ownerId, Collection<String> actionKeys,
            Collection<String> integrationKeys, String afterKey, String keyPrefix, int limit) {
        return runnable(ownerId, false, actionKeys, integrationKeys, afterKey, keyPrefix, limit);
    }

    /** The owner's whole catalog as {@link #runnableInScope} reads a scope: every runnable action, by key. */
    public Uni<List<RunnableAction>> runnableOfOwner(UUID ownerId, String afterKey, int limit) {
        return runnable(ownerId, true, List.of(), List.of(), afterKey, "", limit);
    }

    private Uni<List<RunnableAction>> runnable(UUID ownerId, boolean everyAction, Collection<String> actionKeys,
            Collection<String> integrationKeys, String afterKey, String keyPrefix, int limit) {
        return pool.preparedQuery("select * from (" + SELECT + """
                where a.owner_id = $1 and ($7 or a.key = any($2) or (a.http::jsonb ->> 'integrationKey') = any($3))
                  and a.version = (select max(v.version) from api.actions v
                                   where v.owner_id = a.owner_id and v.key = a.key)
                ) latest
                where latest.active and latest.integration_active and latest.key collate "C" > $4
                  and left(latest.key, length($5)) = $5
                order by latest.key collate "C" limit $6""")
                .execute(Tuple.from(List.of(ownerId, actionKeys.toArray(String[]::new),
                        integrationKeys.toArray(String[]::new), afterKey, keyPrefix, limit, everyAction)))
                .map(rows -> {
                    List<RunnableAction> found = new ArrayList<>();
                    rows.forEach(row -> found.add(toAction(row)));
                    return found;
                });
    }

    /** How many actions of a scope {@link #runnableInScope} would list in all. */
    public Uni<Long> countInScope(UUID ownerId, Collection<String> actionKeys, Collection<String> integrationKeys) {
        return pool.preparedQuery(IN_SCOPE_COUNT)
                .execute(Tuple.of(ownerId, actionKeys.toArray(String[]::new), integrationKeys.toArray(String[]::new)))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * The runnable actions of a scope whose key or intent holds every one of {@code words} (case-insensitive), by key,
     * at most {@code limit}.
     */
    public Uni<List<RunnableAction>> searchInScope(UUID ownerId, Collection<String> actionKeys,
            Collection<String> integrationKeys, List<String> words, int limit) {
        return pool.preparedQuery("select * from (" + SELECT + """
                where a.owner_id = $1 and (a.key = any($2) or (a.http::jsonb ->> 'integrationKey') = any($3))
                  and a.version = (select max(v.version) from api.actions v
                                   where v.owner_id = a.owner_id and v.key = a.key)
                ) latest
                where latest.active and latest.integration_active
                  and not exists (select 1 from unnest($4::text[]) w
                                  where strpos(lower(latest.key || ' ' || latest.intent), lower(w)) = 0)
                order by latest.key collate "C" limit $5""")
                .execute(Tuple.from(List.of(ownerId, actionKeys.toArray(String[]::new),
                        integrationKeys.toArray(String[]::new), words.toArray(String[]::new), limit)))
                .map(rows -> {
                    List<RunnableAction> found = new ArrayList<>();
                    rows.forEach(row -> found.add(toAction(row)));
                    return found;
                });
    }

    private static final String IN_SCOPE_COUNT = """
            select count(*) from api.actions a
            join api.integrations i on i.owner_id = a.owner_id and i.key = (a.http::jsonb ->> 'integrationKey')
            where a.owner_id = $1 and (a.key = any($2) or (a.http::jsonb ->> 'integrationKey') = any($3))
              and a.version = (select max(v.version) from api.actions v where v.owner_id = a.owner_id and v.key = a.key)
              and a.active and i.active""";

    /**
     * The integration's check, parsed once per distinct configuration: the texts are the key, so a changed integration
     * gets its new check at once.
     */
    private HttpSpec.CredentialCheck credentialCheck(String auth, String stored) {
        return checks
                .get(auth + "\u0000" + stored,
                        ignored -> Optional.ofNullable(Integration.credentialCheck(
                                auth == null ? AuthScheme.NONE : Json.read(auth, AuthScheme.class), stored)))
                .orElse(null);
    }

    private RunnableAction toAction(Row row) {
        UUID id = row.getUUID("id");
        Parsed parts = parsed.get(id,
                ignored -> new Parsed(Json.read(row.getString("http"), new TypeReference<ActionRequest.HttpTemplate>() {
                }), Json.read(row.getString("output_mapping"), new TypeReference<Map<String, String>>() {
                }), Json.tree(row.getString("input_schema")), Json.tree(row.getString("output_schema")),
                        Json.read(row.getString("retry"), RetryPolicy.class), ActionVersions.safety(row)));
        return new RunnableAction(id, row.getString("key"), row.getInteger("version"), row.getBoolean("active"),
                row.getString("intent"), row.getString("type"), row.getString("input_schema"),
                row.getBoolean("use_default_mapping"), row.getInteger("timeout_ms"), row.getString("base_url"),
                Boolean.TRUE.equals(row.getBoolean("integration_active")), row.getString("base_url") == null ? null
                        : credentialCheck(row.getString("auth"), row.getString("credentials_invalid")),
                parts);
    }
}

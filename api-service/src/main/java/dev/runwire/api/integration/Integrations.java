package dev.runwire.api.integration;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.integration.IntegrationResource.IntegrationPatch;
import dev.runwire.model.command.HttpSpec;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.json.Json;

/**
 * The owners' integrations as stored ({@code api.integrations}, unique by owner and key), in SQL. Hands out
 * {@link Integration} records; the column names are known here and in the statements that join integrations at run time
 * ({@code RunnableActions}, {@code AuthSchemes}, {@code ConnectedAccounts.client}).
 */
@ApplicationScoped
public class Integrations {

    private static final String COLUMNS = "id, owner_id, key, name, base_url, auth, credentials_invalid, active, created_at, updated_at";

    private final Pool pool;
    private final IntegrationAccounts accounts;

    Integrations(Pool pool, IntegrationAccounts accounts) {
        this.pool = pool;
        this.accounts = accounts;
    }

    /**
     * Stores a new integration, with its client secret sealed when it has one.
     *
     * @return the stored integration, or null when the owner already has one with its key (the unique key decides, so
     *         two concurrent creations cannot both succeed)
     */
    Uni<Integration> create(Integration integration, SealedSecret clientSecret) {
        return pool.preparedQuery("""
                insert into api.integrations (id, owner_id, key, name, base_url, auth, credentials_invalid, active,
                                              key_id, sealed_client_secret, created_at, updated_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
                on conflict (owner_id, key) do nothing
                returning\s""" + COLUMNS)
                .execute(Tuple.from(new Object[] { integration.id(), integration.ownerId(), integration.key(),
                        integration.name(), integration.baseUrl(), Json.write(integration.auth()),
                        integration.credentialsInvalid() == null ? null : Json.write(integration.credentialsInvalid()),
                        integration.active(), clientSecret == null ? null : clientSecret.keyId(),
                        clientSecret == null ? null : Json.write(clientSecret),
                        integration.createdAt().atOffset(ZoneOffset.UTC) }))
                .map(Integrations::first);
    }

    /** The owner's integrations by key. */
    Uni<List<Integration>> list(UUID ownerId) {
        return pool.preparedQuery("select " + COLUMNS + " from api.integrations where owner_id = $1 order by key")
                .execute(Tuple.of(ownerId)).map(rows -> {
                    List<Integration> all = new ArrayList<>();
                    rows.forEach(row -> all.add(integration(row)));
                    return all;
                });
    }

    /** The owner's integration, or null. */
    Uni<Integration> find(UUID ownerId, String key) {
        return pool.preparedQuery("select " + COLUMNS + " from api.integrations where owner_id = $1 and key = $2")
                .execute(Tuple.of(ownerId, key)).map(Integrations::first);
    }

    /** Whether the owner has an integration with this key, read in the caller's transaction. */
    public Uni<Boolean> exists(SqlConnection conn, UUID ownerId, String key) {
        return conn.preparedQuery("select 1 from api.integrations where owner_id = $1 and key = $2")
                .execute(Tuple.of(ownerId, key)).map(rows -> rows.size() > 0);
    }

    /**
     * Applies a change in one statement; absent fields stay as they are.
     *
     * @param name
     *            the new name, trimmed, or null
     *
     * @return the changed integration, or null when the owner has none with this key
     */
    Uni<Integration> update(UUID ownerId, String key, String name, IntegrationPatch change, Instant at) {
        HttpSpec.CredentialCheck check = change.credentialsInvalid();
        return pool.preparedQuery("""
                update api.integrations
                set name = coalesce($3, name), base_url = coalesce($4, base_url),
                    credentials_invalid = coalesce($5, credentials_invalid), active = coalesce($6, active),
                    updated_at = $7
                where owner_id = $1 and key = $2
                returning\s""" + COLUMNS)
                .execute(Tuple.from(new Object[] { ownerId, key, name, change.baseUrl(),
                        check == null ? null : Json.write(check), change.active(), at.atOffset(ZoneOffset.UTC) }))
                .map(Integrations::first);
    }

    /**
     * Deletes the integration and revokes its connected accounts in one transaction.
     *
     * @return false when the owner has no integration with this key (nothing is changed)
     */
    Uni<Boolean> delete(UUID ownerId, String key) {
        return pool.withTransaction(conn -> conn
                .preparedQuery("delete from api.integrations where owner_id = $1 and key = $2")
                .execute(Tuple.of(ownerId, key)).chain(rows -> rows.rowCount() == 0 ? Uni.createFrom().item(false)
                        : accounts.revokeAll(conn, ownerId, key).replaceWith(true)));
    }

    private static Integration first(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        return rows.size() == 0 ? null : integration(rows.iterator().next());
    }

    /** The integration of a row selected with {@link #COLUMNS}. */
    private static Integration integration(Row row) {
        String check = row.getString("credentials_invalid");
        return new Integration(row.getUUID("id"), row.getUUID("owner_id"), row.getString("key"), row.getString("name"),
                row.getString("base_url"), Json.read(row.getString("auth"), AuthScheme.class),
                check == null ? null : Json.read(check, HttpSpec.CredentialCheck.class), row.getBoolean("active"),
                row.getOffsetDateTime("created_at").toInstant(), row.getOffsetDateTime("updated_at").toInstant());
    }
}

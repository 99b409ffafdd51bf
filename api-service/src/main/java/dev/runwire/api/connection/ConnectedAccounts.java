package dev.runwire.api.connection;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.integration.AuthScheme;
import dev.runwire.api.integration.IntegrationAccounts;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.crypto.SecretSealer;
import dev.runwire.model.json.Json;

/**
 * Connected accounts, as stored: sealed (AES-GCM, bound to the account's id), read back only to put their credentials
 * into a run's sealed pass-through data, never shown. See docs/adr/0020-connected-accounts.md.
 */
@ApplicationScoped
public class ConnectedAccounts implements IntegrationAccounts {

    static final String COLUMNS = "id, owner_id, integration_key, user_id, entity_id, status, status_reason, expires_at, credentials_version, created_at, updated_at";

    private static final Logger LOG = Logger.getLogger(ConnectedAccounts.class);

    private final Pool pool;
    private final SecretSealer sealer;
    private final OAuthClient oauth;
    private final ApiConfig config;
    private final AuthSchemes schemes;

    ConnectedAccounts(Pool pool, SecretSealer sealer, OAuthClient oauth, ApiConfig config, AuthSchemes schemes) {
        this.schemes = schemes;
        this.pool = pool;
        this.sealer = sealer;
        this.oauth = oauth;
        this.config = config;
    }

    /** The owner's integration's auth scheme, or null when there is no such integration. */
    public Uni<AuthScheme> scheme(UUID ownerId, String integrationKey) {
        return schemes.scheme(ownerId, integrationKey);
    }

    /**
     * Stores an account as the active one of its user (or entity) for the integration; an earlier active one is revoked
     * in the same transaction.
     *
     * @param expiresAt
     *            when an OAuth 2 access token among the credentials ends, or null
     */
    Uni<ConnectedAccount> connect(UUID ownerId, String integrationKey, String userId, String entityId,
            JsonNode credentials, Instant expiresAt) {
        UUID id = UUID.randomUUID();
        SealedSecret sealed = sealer.seal(credentials.toString(), context(id));
        return pool.withTransaction(conn -> revokeActive(conn, ownerId, integrationKey, userId, entityId)
                .chain(() -> conn.preparedQuery("""
                        insert into api.connected_accounts (id, owner_id, integration_key, user_id, entity_id, status,
                                                            key_id, sealed, expires_at, created_at, updated_at)
                        values ($1, $2, $3, $4, $5, 'active', $6, $7, $8, now(), now())
                        returning\s""" + COLUMNS)
                        .execute(Tuple.from(new Object[] { id, ownerId, integrationKey, userId, entityId,
                                sealed.keyId(), Json.write(sealed), utc(expiresAt) })))
                .map(rows -> account(rows.iterator().next())));
    }

    static Uni<Void> revokeActive(SqlConnection conn, UUID ownerId, String integrationKey, String userId,
            String entityId) {
        return conn.preparedQuery("""
                update api.connected_accounts set status = 'revoked', status_reason = 'replaced by a new connection',
                       sealed = null, updated_at = now()
                where owner_id = $1 and integration_key = $2 and status = 'active'
                  and (user_id = $3 or entity_id = $4)""").execute(Tuple.of(ownerId, integrationKey, userId, entityId))
                .replaceWithVoid();
    }

    /** Revokes every account of a deleted integration, in the transaction that deletes it. */
    @Override
    public Uni<Void> revokeAll(SqlConnection conn, UUID ownerId, String integrationKey) {
        return conn.preparedQuery("""
                update api.connected_accounts set status = 'revoked', status_reason = 'the integration was deleted',
                       sealed = null, state_hash = null, updated_at = now()
                where owner_id = $1 and integration_key = $2 and status in ('active', 'initiated', 'expired')""")
                .execute(Tuple.of(ownerId, integrationKey)).replaceWithVoid();
    }

    /** An integration's OAuth 2 client: its scheme and opened client secret. */
    record AppClient(AuthScheme scheme, String secret) {
    }

    Uni<AppClient> client(SqlConnection conn, UUID ownerId, String integrationKey) {
        return conn
                .preparedQuery(
                        "select id, auth, sealed_client_secret from api.integrations where owner_id = $1 and key = $2")
                .execute(Tuple.of(ownerId, integrationKey)).map(rows -> {
                    if (rows.size() == 0) {
                        throw new OAuthClient.RejectedException("the integration no longer exists");
                    }
                    Row row = rows.iterator().next();
                    AuthScheme scheme = Json.read(row.getString(1), AuthScheme.class);
                    String secret = row.getString(2) == null ? null
                            : sealer.open(Json.read(row.getString(2), SealedSecret.class),
                                    dev.runwire.api.integration.Integration.secretContext(row.getUUID(0)));
                    return new AppClient(scheme, secret);
                });
    }

    /** An account's credentials as opened for one use, and which version of them. */
    public record Opened(String integrationKey, UUID accountId, long version, JsonNode credentials, Instant expiresAt) {
        @Override
        public String toString() {
            return "Opened[" + integrationKey + ", " + accountId + ", v" + version + ", (values hidden)]";
        }
    }

    record Stored(ConnectedAccount account, Opened opened) {
    }

    /** Stores new credentials of an account: a new version, active. */
    Uni<Stored> store(SqlConnection conn, UUID id, JsonNode credentials, Instant expiresAt, boolean refreshed,
            boolean forRefusal) {
        SealedSecret sealed = sealer.seal(credentials.toString(), context(id));
        return conn.preparedQuery("""
                update api.connected_accounts set status = 'active', status_reason = null, key_id = $2, sealed = $3,
                       expires_at = $4, credentials_version = credentials_version + 1,
                       refreshed_at = case when $5 then now() else refreshed_at end, refreshed_for_refusal = $6,
                       updated_at = now()
                where id = $1 returning\s""" + COLUMNS)
                .execute(Tuple.from(
                        new Object[] { id, sealed.keyId(), Json.write(sealed), utc(expiresAt), refreshed, forRefusal }))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Stored(account(row), new Opened(row.getString("integration_key"), id,
                            row.getLong("credentials_version"), credentials, expiresAt));
                });
    }

    static JsonNode tokensJson(OAuthClient.Tokens tokens) {
        com.fasterxml.jackson.databind.node.ObjectNode json = Json.mapper().createObjectNode();
        json.put("accessToken", tokens.accessToken());
        if (tokens.refreshToken() != null) {
            json.put("refreshToken", tokens.refreshToken());
        }
        return json;
    }

    /** Gets the first access token of client credentials; refused ones are a 422 and nothing is stored. */
    Uni<OAuthClient.Tokens> firstToken(AuthScheme scheme, JsonNode credentials) {
        return oauth.clientCredentials(scheme.tokenUrl(), credentials.get("clientId").asText(),
                credentials.get("clientSecret").asText(), scheme.scopes());
    }

    Uni<List<ConnectedAccount>> list(UUID ownerId, String userId, String integrationKey, int page, int pageSize) {
        return pool
                .preparedQuery("select " + COLUMNS
                        + """
                                 from api.connected_accounts
                                where owner_id = $1 and ($2::text is null or user_id = $2) and ($3::text is null or integration_key = $3)
                                order by created_at desc, id desc limit $4 offset $5""")
                .execute(Tuple.of(ownerId, userId, integrationKey, pageSize, (page - 1) * pageSize)).map(rows -> {
                    List<ConnectedAccount> list = new ArrayList<>();
                    rows.forEach(row -> list.add(account(row)));
                    return list;
                });
    }

    /** A page of accounts of an entity (or user) and integration, both optional, newest first. */
    public Uni<List<ConnectedAccount>> listed(UUID ownerId, String entityOrUser, String integrationKey, int page,
            int pageSize) {
        return pool.preparedQuery("select " + COLUMNS + """
                 from api.connected_accounts
                where owner_id = $1 and ($2::text is null or entity_id = $2 or user_id = $2)
                  and ($3::text is null or integration_key = $3)
                order by created_at desc, id desc limit $4 offset $5""")
                .execute(Tuple.of(ownerId, entityOrUser, integrationKey, pageSize, (page - 1) * pageSize)).map(rows -> {
                    List<ConnectedAccount> list = new ArrayList<>();
                    rows.forEach(row -> list.add(account(row)));
                    return list;
                });
    }

    Uni<ConnectedAccount> find(UUID ownerId, UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from api.connected_accounts where id = $1 and owner_id = $2")
                .execute(Tuple.of(id, ownerId)).map(rows -> rows.size() == 0 ? null : account(rows.iterator().next()));
    }

    /** Revokes an account and forgets its credentials; null when there is no such account. */
    Uni<ConnectedAccount> revoke(UUID ownerId, UUID id) {
        return pool.preparedQuery("""
                update api.connected_accounts set status = 'revoked', sealed = null, updated_at = now()
                where id = $1 and owner_id = $2 returning\s""" + COLUMNS).execute(Tuple.of(id, ownerId))
                .map(rows -> rows.size() == 0 ? null : account(rows.iterator().next()));
    }

    /**
     * The pass-through entry that carries an account's credentials to the integration, naming the account and the
     * version (so a refusal says which credentials were refused).
     */
    public static JsonNode entry(AuthScheme scheme, Opened account) {
        Map<String, Object> entry = new LinkedHashMap<>(
                scheme.passThrough(account.integrationKey(), account.credentials()));
        entry.put("accountId", account.accountId().toString());
        entry.put("credentialsVersion", account.version());
        if (account.expiresAt() != null) {
            // not a secret: lets the executor refresh a token that would end before a late step calls
            entry.put("expiresAt", account.expiresAt().toString());
        }
        return Json.mapper().valueToTree(entry);
    }

    /** The account of a row selected with {@link #COLUMNS}: the one place that knows those columns' names. */
    static ConnectedAccount account(Row row) {
        Long version = row.getLong("credentials_version");
        return new ConnectedAccount(row.getUUID("id"), row.getUUID("owner_id"), row.getString("integration_key"),
                row.getString("user_id"), row.getString("entity_id"), row.getString("status"),
                row.getString("status_reason"), row.getOffsetDateTime("expires_at"), version == null ? 0 : version,
                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
    }

    static String context(UUID accountId) {
        return "connected-account:" + accountId;
    }

    private static java.time.OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(java.time.ZoneOffset.UTC);
    }
}

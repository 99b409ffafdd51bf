package dev.runwire.api.connection;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.ApiException;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.integration.AuthScheme;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.crypto.SecretSealer;
import dev.runwire.model.json.Json;

/**
 * Connected accounts: stored sealed (AES-GCM, bound to the account's id), read back only to put their credentials into
 * a run's sealed pass-through data, never shown. See docs/adr/0020-connected-accounts.md.
 */
@ApplicationScoped
public class ConnectedAccounts {

    private static final String COLUMNS = "id, owner_id, integration_key, user_id, entity_id, status, status_reason, expires_at, credentials_version, created_at, updated_at";

    private static final int MAX_REMEMBERED = 100_000;
    private static final Logger LOG = Logger.getLogger(ConnectedAccounts.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How long a remembered scheme is trusted: an integration deleted and made again under its key may differ. */
    private static final long REMEMBER_MILLIS = 60_000;

    private final Pool pool;
    private final SecretSealer sealer;
    private final OAuthClient oauth;
    private final ApiConfig config;
    private final Map<String, Remembered> remembered = new java.util.concurrent.ConcurrentHashMap<>();

    private record Remembered(AuthScheme scheme, long at) {
    }

    ConnectedAccounts(Pool pool, SecretSealer sealer, OAuthClient oauth, ApiConfig config) {
        this.pool = pool;
        this.sealer = sealer;
        this.oauth = oauth;
        this.config = config;
    }

    /** The owner's integration's auth scheme, or null when there is no such integration. */
    public Uni<AuthScheme> scheme(UUID ownerId, String integrationKey) {
        return schemes(ownerId, List.of(integrationKey)).map(all -> all.get(integrationKey));
    }

    /**
     * The auth schemes of the owner's integrations among {@code keys} (absent ones left out). An integration's scheme
     * never changes once written, so schemes are remembered for a minute: a run on integrations seen lately costs no
     * query here.
     */
    private Uni<Map<String, AuthScheme>> schemes(UUID ownerId, Collection<String> keys) {
        Map<String, AuthScheme> schemes = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (String key : keys) {
            Remembered known = remembered.get(ownerId + "/" + key);
            if (known != null && now - known.at() < REMEMBER_MILLIS) {
                schemes.put(key, known.scheme());
            } else {
                unknown.add(key);
            }
        }
        if (unknown.isEmpty()) {
            return Uni.createFrom().item(schemes);
        }
        return pool.preparedQuery("select key, auth from api.integrations where owner_id = $1 and key = any($2)")
                .execute(Tuple.of(ownerId, unknown.toArray(String[]::new))).map(rows -> {
                    if (remembered.size() > MAX_REMEMBERED) {
                        remembered.clear();
                    }
                    rows.forEach(row -> {
                        AuthScheme scheme = Json.read(row.getString(1), AuthScheme.class);
                        schemes.put(row.getString(0), scheme);
                        remembered.put(ownerId + "/" + row.getString(0), new Remembered(scheme, now));
                    });
                    return schemes;
                });
    }

    /**
     * Stores an account as the active one of its user (or entity) for the integration; an earlier active one is revoked
     * in the same transaction.
     *
     * @param expiresAt
     *            when an OAuth 2 access token among the credentials ends, or null
     */
    Uni<Row> connect(UUID ownerId, String integrationKey, String userId, String entityId, JsonNode credentials,
            Instant expiresAt) {
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
                .map(rows -> rows.iterator().next()));
    }

    private static Uni<Void> revokeActive(SqlConnection conn, UUID ownerId, String integrationKey, String userId,
            String entityId) {
        return conn.preparedQuery("""
                update api.connected_accounts set status = 'revoked', status_reason = 'replaced by a new connection',
                       sealed = null, updated_at = now()
                where owner_id = $1 and integration_key = $2 and status = 'active'
                  and (user_id = $3 or entity_id = $4)""").execute(Tuple.of(ownerId, integrationKey, userId, entityId))
                .replaceWithVoid();
    }

    /** Revokes every account of a deleted integration. */
    public Uni<Void> revokeAll(UUID ownerId, String integrationKey) {
        return pool.preparedQuery("""
                update api.connected_accounts set status = 'revoked', status_reason = 'the integration was deleted',
                       sealed = null, state_hash = null, updated_at = now()
                where owner_id = $1 and integration_key = $2 and status in ('active', 'initiated', 'expired')""")
                .execute(Tuple.of(ownerId, integrationKey)).replaceWithVoid();
    }

    /** A connection through the authorization-code flow, waiting for its redirect; {@code state} is shown once. */
    record Initiated(Row row, String state) {
    }

    /** Starts an authorization-code connection: the account waits in status initiated, its state kept as a hash. */
    Uni<Initiated> initiate(UUID ownerId, String integrationKey, String userId, String entityId, String returnUrl) {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String state = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        return pool.preparedQuery("""
                insert into api.connected_accounts (id, owner_id, integration_key, user_id, entity_id, status,
                                                    state_hash, state_expires_at, return_url, created_at, updated_at)
                values ($1, $2, $3, $4, $5, 'initiated', $6, now() + make_interval(secs => $7), $8, now(), now())
                returning\s""" + COLUMNS)
                .execute(Tuple.from(new Object[] { UUID.randomUUID(), ownerId, integrationKey, userId, entityId,
                        hash(state), (double) config.connections().connectTtl().toSeconds(), returnUrl }))
                .map(rows -> new Initiated(rows.iterator().next(), state));
    }

    /**
     * How a redirect ended: the account (active, or failed with a reason) and, when active, its credentials as opened;
     * null row when the state matched nothing.
     */
    record Completion(Row row, Opened opened, String returnUrl) {
    }

    /**
     * Completes an authorization-code connection: the state is used once (matched by its hash, in time), the code is
     * exchanged at the token endpoint, and the account becomes the user's active one (an earlier one is revoked).
     */
    Uni<Completion> complete(String state, String code, String error) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                update api.connected_accounts set state_hash = null, updated_at = now()
                where state_hash = $1 and status = 'initiated'
                returning id, owner_id, integration_key, user_id, entity_id, return_url, state_expires_at > now()""")
                .execute(Tuple.of(hash(state))).chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(new Completion(null, null, null));
                    }
                    Row row = rows.iterator().next();
                    UUID id = row.getUUID(0);
                    UUID ownerId = row.getUUID(1);
                    String key = row.getString(2);
                    String returnUrl = row.getString(5);
                    if (!row.getBoolean(6)) {
                        return fail(conn, id, "the connect link expired", returnUrl);
                    }
                    if (error != null || code == null) {
                        return fail(conn, id, "the user did not consent (" + (error == null ? "no code" : error) + ")",
                                returnUrl);
                    }
                    return client(conn, ownerId, key)
                            .chain(app -> oauth.exchange(app.scheme().tokenUrl(), app.scheme().clientId(), app.secret(),
                                    code, callbackUrl()))
                            .chain(tokens -> revokeActive(conn, ownerId, key, row.getString(3), row.getString(4))
                                    .chain(() -> store(conn, id, tokensJson(tokens), tokens.expiresAt(), false, false))
                                    .map(stored -> new Completion(stored.row(), stored.opened(), returnUrl)))
                            .onFailure(OAuthClient.RejectedException.class)
                            .recoverWithUni(e -> fail(conn, id,
                                    "the token endpoint refused the code: " + e.getMessage(), returnUrl))
                            .onFailure(OAuthClient.UnavailableException.class)
                            .recoverWithUni(e -> fail(conn, id, e.getMessage(), returnUrl));
                }));
    }

    private Uni<Completion> fail(SqlConnection conn, UUID id, String reason, String returnUrl) {
        return conn
                .preparedQuery("update api.connected_accounts set status = 'failed', status_reason = $2, "
                        + "updated_at = now() where id = $1 returning " + COLUMNS)
                .execute(Tuple.of(id, reason)).map(rows -> new Completion(rows.iterator().next(), null, returnUrl));
    }

    /** Where OAuth 2 providers send the user back. */
    public String callbackUrl() {
        String base = config.connections().publicUrl();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/oauth/callback";
    }

    /** The authorization URL a user opens to connect (RFC 6749 4.1.1). */
    static String authorizationUrl(AuthScheme scheme, String state, String redirectUri) {
        String url = scheme.authorizationUrl();
        StringBuilder query = new StringBuilder("response_type=code&client_id=").append(encode(scheme.clientId()))
                .append("&state=").append(encode(state));
        if (scheme.scopes() != null && !scheme.scopes().isEmpty()) {
            query.append("&scope=").append(encode(String.join(" ", scheme.scopes())));
        }
        return url + (url.contains("?") ? "&" : "?") + query + "&redirect_uri=" + encode(redirectUri);
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** An integration's OAuth 2 client: its scheme and opened client secret. */
    private record AppClient(AuthScheme scheme, String secret) {
    }

    private Uni<AppClient> client(SqlConnection conn, UUID ownerId, String integrationKey) {
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

    private record Stored(Row row, Opened opened) {
    }

    /** Stores new credentials of an account: a new version, active. */
    private Uni<Stored> store(SqlConnection conn, UUID id, JsonNode credentials, Instant expiresAt, boolean refreshed,
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
                    return new Stored(row, new Opened(row.getString("integration_key"), id,
                            row.getLong("credentials_version"), credentials, expiresAt));
                });
    }

    private static JsonNode tokensJson(OAuthClient.Tokens tokens) {
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

    /**
     * Credentials that can be used now: the stored ones, or, for an OAuth 2 account whose access token ends within the
     * refresh skew (or whose version {@code refused} was refused by the integration), new ones from the token endpoint.
     * The account's row is locked meanwhile, so however many requests and replicas need the same account at once, one
     * refreshes and the others use its result. A refresh the endpoint refuses marks the account expired (null); so does
     * a refusal that a refresh cannot fix.
     */
    Uni<Opened> usable(UUID ownerId, UUID accountId, AuthScheme scheme, Long refused, boolean expiredOnly) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                select integration_key, sealed, credentials_version, expires_at, status, refreshed_for_refusal
                from api.connected_accounts where id = $1 and owner_id = $2 for update""")
                .execute(Tuple.of(accountId, ownerId)).chain(rows -> {
                    Row row = rows.size() == 0 ? null : rows.iterator().next();
                    if (row == null || !"active".equals(row.getString(4))) {
                        return Uni.createFrom().nullItem();
                    }
                    JsonNode credentials = Json
                            .tree(sealer.open(Json.read(row.getString(1), SealedSecret.class), context(accountId)));
                    Instant expiresAt = row.getOffsetDateTime(3) == null ? null : row.getOffsetDateTime(3).toInstant();
                    Opened current = new Opened(row.getString(0), accountId, row.getLong(2), credentials, expiresAt);
                    boolean stale = refused != null ? refused == current.version() : scheme.oauth2()
                            && needsRefresh(credentials, expiresAt, config.connections().refreshSkew());
                    if (!stale) {
                        return Uni.createFrom().item(current);
                    }
                    // a token that merely ends is refreshed whatever came before; refused ones get one refresh
                    boolean refusedAfterRefresh = !expiredOnly && Boolean.TRUE.equals(row.getBoolean(5));
                    if (refused != null && (!refreshable(scheme, credentials) || refusedAfterRefresh)) {
                        // nothing to refresh, or a refresh made for a refusal was refused too: the user reconnects
                        return expire(conn, accountId, expiredOnly ? "the access token expired and cannot be refreshed"
                                : "the integration refused the credentials");
                    }
                    if (!refreshable(scheme, credentials)) {
                        return needsRefresh(credentials, expiresAt, java.time.Duration.ZERO)
                                ? expire(conn, accountId, "the access token expired and cannot be refreshed")
                                : Uni.createFrom().item(current);
                    }
                    return refresh(conn, ownerId, scheme, current).chain(tokens -> {
                        JsonNode next = credentials.deepCopy();
                        ((com.fasterxml.jackson.databind.node.ObjectNode) next)
                                .setAll((com.fasterxml.jackson.databind.node.ObjectNode) tokensJson(tokens));
                        return store(conn, accountId, next, tokens.expiresAt(), true, refused != null && !expiredOnly)
                                .map(Stored::opened);
                    }).onFailure(OAuthClient.RejectedException.class).recoverWithUni(
                            e -> expire(conn, accountId, "the token endpoint refused the refresh: " + e.getMessage()));
                }));
    }

    private Uni<OAuthClient.Tokens> refresh(SqlConnection conn, UUID ownerId, AuthScheme scheme, Opened current) {
        JsonNode credentials = current.credentials();
        if (AuthScheme.CLIENT_CREDENTIALS.equals(scheme.type())) {
            return firstToken(scheme, credentials);
        }
        return client(conn, ownerId, current.integrationKey()).chain(app -> oauth.refresh(app.scheme().tokenUrl(),
                app.scheme().clientId(), app.secret(), credentials.get("refreshToken").asText()));
    }

    /** Whether there is no access token, or it ends within {@code skew}. */
    private static boolean needsRefresh(JsonNode credentials, Instant expiresAt, java.time.Duration skew) {
        return !credentials.path("accessToken").isTextual()
                || expiresAt != null && expiresAt.isBefore(Instant.now().plus(skew));
    }

    private static boolean refreshable(AuthScheme scheme, JsonNode credentials) {
        return AuthScheme.CLIENT_CREDENTIALS.equals(scheme.type())
                || AuthScheme.AUTHORIZATION_CODE.equals(scheme.type()) && credentials.path("refreshToken").isTextual();
    }

    private static Uni<Opened> expire(SqlConnection conn, UUID accountId, String reason) {
        LOG.infof("connected account %s expired: %s", accountId, reason);
        return conn.preparedQuery("""
                update api.connected_accounts set status = 'expired', status_reason = $2, sealed = null,
                       updated_at = now()
                where id = $1""").execute(Tuple.of(accountId, reason)).replaceWith((Opened) null);
    }

    Uni<List<Row>> list(UUID ownerId, String userId, String integrationKey, int page, int pageSize) {
        return pool
                .preparedQuery("select " + COLUMNS
                        + """
                                 from api.connected_accounts
                                where owner_id = $1 and ($2::text is null or user_id = $2) and ($3::text is null or integration_key = $3)
                                order by created_at desc, id desc limit $4 offset $5""")
                .execute(Tuple.of(ownerId, userId, integrationKey, pageSize, (page - 1) * pageSize)).map(rows -> {
                    List<Row> list = new ArrayList<>();
                    rows.forEach(list::add);
                    return list;
                });
    }

    /** A page of accounts of an entity (or user) and integration, both optional, newest first. */
    public Uni<List<Row>> listed(UUID ownerId, String entityOrUser, String integrationKey, int page, int pageSize) {
        return pool.preparedQuery("select " + COLUMNS + """
                 from api.connected_accounts
                where owner_id = $1 and ($2::text is null or entity_id = $2 or user_id = $2)
                  and ($3::text is null or integration_key = $3)
                order by created_at desc, id desc limit $4 offset $5""")
                .execute(Tuple.of(ownerId, entityOrUser, integrationKey, pageSize, (page - 1) * pageSize)).map(rows -> {
                    List<Row> list = new ArrayList<>();
                    rows.forEach(list::add);
                    return list;
                });
    }

    Uni<Row> find(UUID ownerId, UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from api.connected_accounts where id = $1 and owner_id = $2")
                .execute(Tuple.of(id, ownerId)).map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /** Revokes an account and forgets its credentials; null when there is no such account. */
    Uni<Row> revoke(UUID ownerId, UUID id) {
        return pool.preparedQuery("""
                update api.connected_accounts set status = 'revoked', sealed = null, updated_at = now()
                where id = $1 and owner_id = $2 returning\s""" + COLUMNS).execute(Tuple.of(id, ownerId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    }

    /**
     * A run's pass-through data, and the integrations still lacking an account.
     *
     * @param passThrough
     *            the connected accounts' credentials first, then the request's own entries
     * @param missing
     *            integrations whose scheme needs an account the user does not have (sorted)
     */
    public record Resolved(JsonNode passThrough, List<String> missing) {

        /** The 409 that names each missing integration and says where to connect it. */
        public ApiException connectionRequired(String userId) {
            return new ApiException(409, missing.stream().map(key -> new ErrorObject(409, "connection_required",
                    "Conflict",
                    (userId == null ? "no connected account" : "the user " + userId + " has no connected account")
                            + " for " + key,
                    ErrorObject.Source.pointer("/userId"),
                    Map.of("integrationKey", key, "connect", RunRequested.Connection.urlFor(key, userId)))).toList(),
                    Map.of());
        }
    }

    /**
     * A run's pass-through data with the credentials of the user's connected accounts first, for every integration
     * whose scheme needs one and that the request's own pass-through data does not cover; and the integrations for
     * which the user has no account.
     *
     * @param accountId
     *            an account chosen by id (a Zapier stored action's {@code connection_id}), or null
     */
    public Uni<Resolved> passThrough(UUID ownerId, String userId, UUID accountId, Collection<String> integrationKeys,
            JsonNode requested) {
        return schemes(ownerId, integrationKeys).chain(schemes -> {
            List<String> needed = schemes.entrySet().stream()
                    .filter(e -> e.getValue().needsAccount() && !covered(requested, e.getKey())).map(Map.Entry::getKey)
                    .sorted().toList();
            if (needed.isEmpty()) {
                return Uni.createFrom().item(new Resolved(requested, List.of()));
            }
            return pool.preparedQuery("""
                    select integration_key, id, sealed, credentials_version, expires_at from api.connected_accounts
                    where owner_id = $1 and status = 'active' and integration_key = any($3)
                      and (user_id = $2 or id = $4)""")
                    .execute(Tuple.of(ownerId, userId, needed.toArray(String[]::new), accountId)).chain(rows -> {
                        List<Uni<Opened>> opening = new ArrayList<>();
                        rows.forEach(row -> opening.add(open(ownerId, schemes.get(row.getString(0)), row)));
                        Uni<List<Opened>> all = opening.isEmpty() ? Uni.createFrom().item(List.of())
                                : Uni.join().all(opening).andFailFast();
                        return all.map(opened -> {
                            Map<String, JsonNode> entries = new LinkedHashMap<>();
                            opened.stream().filter(java.util.Objects::nonNull)
                                    .forEach(account -> entries.put(account.integrationKey(),
                                            entry(schemes.get(account.integrationKey()), account)));
                            List<String> missing = needed.stream().filter(key -> !entries.containsKey(key)).toList();
                            ArrayNode combined = Json.mapper().createArrayNode();
                            entries.values().forEach(combined::add);
                            if (requested != null && requested.isArray()) {
                                requested.forEach(combined::add);
                            }
                            return new Resolved(combined.isEmpty() ? requested : combined, missing);
                        });
                    });
        });
    }

    /** An account's credentials ready to use; an OAuth 2 token about to end is refreshed first (null: expired). */
    private Uni<Opened> open(UUID ownerId, AuthScheme scheme, Row row) {
        UUID id = row.getUUID(1);
        JsonNode credentials = Json.tree(sealer.open(Json.read(row.getString(2), SealedSecret.class), context(id)));
        Instant expiresAt = row.getOffsetDateTime(4) == null ? null : row.getOffsetDateTime(4).toInstant();
        if (scheme.oauth2() && needsRefresh(credentials, expiresAt, config.connections().refreshSkew())) {
            return usable(ownerId, id, scheme, null, false);
        }
        return Uni.createFrom().item(new Opened(row.getString(0), id, row.getLong(3), credentials, expiresAt));
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

    /** Whether the request's pass-through data already applies to the integration (by id, or to all). */
    private static boolean covered(JsonNode requested, String integrationKey) {
        if (requested == null || !requested.isArray()) {
            return false;
        }
        for (JsonNode entry : requested) {
            JsonNode id = entry.get("customerIntegrationId");
            if (id == null || id.isNull() || integrationKey.equals(id.asText())) {
                return true;
            }
        }
        return false;
    }

    private static String context(UUID accountId) {
        return "connected-account:" + accountId;
    }

    private static String hash(String state) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(state.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.time.OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(java.time.ZoneOffset.UTC);
    }
}

package dev.runwire.api.connection;

import java.security.SecureRandom;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.integration.AuthScheme;

/**
 * Connecting an account through OAuth 2's authorization-code flow: the connect link (its state kept as a hash, used
 * once, in time), and the redirect that exchanges the code and makes the account the user's active one. See
 * docs/adr/0023-oauth2-and-refused-credentials.md.
 */
@ApplicationScoped
public class OAuthFlow {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Pool pool;
    private final OAuthClient oauth;
    private final ApiConfig config;
    private final ConnectedAccounts accounts;

    OAuthFlow(Pool pool, OAuthClient oauth, ApiConfig config, ConnectedAccounts accounts) {
        this.pool = pool;
        this.oauth = oauth;
        this.config = config;
        this.accounts = accounts;
    }

    /** A connection through the authorization-code flow, waiting for its redirect; {@code state} is shown once. */
    record Initiated(ConnectedAccount account, String state) {
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
                returning\s""" + ConnectedAccounts.COLUMNS)
                .execute(Tuple.from(new Object[] { UUID.randomUUID(), ownerId, integrationKey, userId, entityId,
                        hash(state), (double) config.connections().connectTtl().toSeconds(), returnUrl }))
                .map(rows -> new Initiated(ConnectedAccounts.account(rows.iterator().next()), state));
    }

    /**
     * How a redirect ended: the account (active, or failed with a reason) and, when active, its credentials as opened;
     * null account when the state matched nothing.
     */
    record Completion(ConnectedAccount account, ConnectedAccounts.Opened opened, String returnUrl) {
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
                    return accounts.client(conn, ownerId, key)
                            .chain(app -> oauth.exchange(app.scheme().tokenUrl(), app.scheme().clientId(), app.secret(),
                                    code, callbackUrl()))
                            .chain(tokens -> ConnectedAccounts
                                    .revokeActive(conn, ownerId, key, row.getString(3), row.getString(4))
                                    .chain(() -> accounts.store(conn, id, ConnectedAccounts.tokensJson(tokens),
                                            tokens.expiresAt(), false, false))
                                    .map(stored -> new Completion(stored.account(), stored.opened(), returnUrl)))
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
                        + "updated_at = now() where id = $1 returning " + ConnectedAccounts.COLUMNS)
                .execute(Tuple.of(id, reason))
                .map(rows -> new Completion(ConnectedAccounts.account(rows.iterator().next()), null, returnUrl));
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

    private static String hash(String state) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(state.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

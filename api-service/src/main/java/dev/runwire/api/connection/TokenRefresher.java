package dev.runwire.api.connection;

import java.time.Duration;
import java.time.Instant;
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
import dev.runwire.api.connection.ConnectedAccounts.Opened;
import dev.runwire.api.integration.AuthScheme;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.crypto.SecretSealer;
import dev.runwire.model.json.Json;

/**
 * Keeps connected accounts' OAuth 2 credentials usable: refreshes an access token about to end (or one the integration
 * refused), one refresh at a time per account across replicas, and expires an account whose refresh is refused.
 */
@ApplicationScoped
public class TokenRefresher {

    private static final Logger LOG = Logger.getLogger(TokenRefresher.class);

    private final Pool pool;
    private final SecretSealer sealer;
    private final ApiConfig config;
    private final ConnectedAccounts accounts;
    private final OAuthClient oauth;

    TokenRefresher(Pool pool, SecretSealer sealer, ApiConfig config, ConnectedAccounts accounts, OAuthClient oauth) {
        this.oauth = oauth;
        this.pool = pool;
        this.sealer = sealer;
        this.config = config;
        this.accounts = accounts;
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
                    JsonNode credentials = Json.tree(sealer.open(Json.read(row.getString(1), SealedSecret.class),
                            ConnectedAccounts.context(accountId)));
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
                        ((com.fasterxml.jackson.databind.node.ObjectNode) next).setAll(
                                (com.fasterxml.jackson.databind.node.ObjectNode) ConnectedAccounts.tokensJson(tokens));
                        return accounts
                                .store(conn, accountId, next, tokens.expiresAt(), true, refused != null && !expiredOnly)
                                .map(ConnectedAccounts.Stored::opened);
                    }).onFailure(OAuthClient.RejectedException.class).recoverWithUni(
                            e -> expire(conn, accountId, "the token endpoint refused the refresh: " + e.getMessage()));
                }));
    }

    private Uni<OAuthClient.Tokens> refresh(SqlConnection conn, UUID ownerId, AuthScheme scheme, Opened current) {
        JsonNode credentials = current.credentials();
        if (AuthScheme.CLIENT_CREDENTIALS.equals(scheme.type())) {
            return accounts.firstToken(scheme, credentials);
        }
        return accounts.client(conn, ownerId, current.integrationKey())
                .chain(app -> oauth.refresh(app.scheme().tokenUrl(), app.scheme().clientId(), app.secret(),
                        credentials.get("refreshToken").asText()));
    }

    /** Whether there is no access token, or it ends within {@code skew}. */
    static boolean needsRefresh(JsonNode credentials, Instant expiresAt, java.time.Duration skew) {
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
}

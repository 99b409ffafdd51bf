package dev.runwire.api.connection;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.auth.Caller;
import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.QueryParams;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.NotFound;
import dev.runwire.api.error.RunwireException.UpstreamFailed;
import dev.runwire.api.error.Surface;
import dev.runwire.api.integration.AuthScheme;

/** A user's (or entity's) accounts on the owner's integrations: connect with credentials, list, read, revoke. */
@ApiSurface(Surface.NATIVE)
@Path("/v1/connected-accounts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ConnectedAccountResource {

    private final ConnectedAccounts accounts;
    private final OAuthFlow flow;
    private final RunConnections runs;
    private final Caller caller;

    ConnectedAccountResource(ConnectedAccounts accounts, OAuthFlow flow, RunConnections runs, Caller caller) {
        this.accounts = accounts;
        this.flow = flow;
        this.runs = runs;
        this.caller = caller;
    }

    /**
     * Body of a new connection: the credentials fit the integration's auth scheme. For an OAuth 2 authorization-code
     * integration without credentials, the connection starts the connect flow; {@code returnUrl} is where the user's
     * browser goes once it ended.
     */
    public record ConnectRequest(String integrationKey, String userId, String entityId, JsonNode credentials,
            String returnUrl) {
    }

    /**
     * An account as the API shows it: never its credentials. {@code redirectUrl} only when a connect flow starts: the
     * user opens it to consent.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AccountView(UUID id, String integrationKey, String userId, String entityId, String status,
            String statusReason, OffsetDateTime expiresAt, String redirectUrl, OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {
        static AccountView of(ConnectedAccount account) {
            return of(account, null);
        }

        static AccountView of(ConnectedAccount account, String redirectUrl) {
            return new AccountView(account.id(), account.integrationKey(), account.userId(), account.entityId(),
                    account.status(), account.statusReason(), account.expiresAt(), redirectUrl, account.createdAt(),
                    account.updatedAt());
        }
    }

    @POST
    public Uni<Response> connect(ConnectRequest body) {
        if (body == null) {
            throw new Invalid("missing_body", "a JSON body is required", "");
        }
        List<Problem> errors = new ArrayList<>();
        if (body.integrationKey() == null || body.integrationKey().isBlank()) {
            errors.add(Problem.at("missing_integration", "integrationKey is required", "/integrationKey"));
        }
        if (blank(body.userId()) && blank(body.entityId())) {
            errors.add(Problem.at("missing_user_id", "userId or entityId is required (1-256 characters)", "/userId"));
        }
        for (String[] id : new String[][] { { body.userId(), "/userId" }, { body.entityId(), "/entityId" } }) {
            if (id[0] != null && (id[0].isBlank() || id[0].length() > 256)) {
                errors.add(Problem.at("invalid_id", "ids are 1-256 characters", id[1]));
            }
        }
        if (!errors.isEmpty()) {
            throw new Invalid(errors);
        }
        UUID ownerId = caller.ownerId();
        return accounts.scheme(ownerId, body.integrationKey()).chain(scheme -> {
            if (scheme == null) {
                throw new Invalid("unknown_integration", "no integration " + body.integrationKey(), "/integrationKey");
            }
            if (!scheme.needsAccount()) {
                throw new Invalid("no_auth",
                        "the integration " + body.integrationKey() + " takes no credentials (its auth type is none)",
                        "/integrationKey");
            }
            if (AuthScheme.AUTHORIZATION_CODE.equals(scheme.type()) && body.credentials() == null) {
                return initiate(ownerId, body, scheme);
            }
            List<Problem> problems = new ArrayList<>();
            scheme.credentialProblems(body.credentials(), "/credentials", problems);
            if (!problems.isEmpty()) {
                throw new Invalid(problems);
            }
            return credentials(scheme, body.credentials())
                    .chain(granted -> accounts
                            .connect(ownerId, body.integrationKey(), body.userId(), body.entityId(),
                                    granted.credentials(), granted.expiresAt())
                            // the user's runs that wait for this connection go on
                            .call(account -> runs.connected(ownerId, body.userId(), body.integrationKey(),
                                    ConnectedAccounts.entry(scheme,
                                            new ConnectedAccounts.Opened(body.integrationKey(), account.id(),
                                                    account.credentialsVersion(), granted.credentials(),
                                                    granted.expiresAt())))))
                    .map(account -> Response.status(201).entity(AccountView.of(account)).build());
        });
    }

    /** Credentials to store, and when their access token ends. */
    private record Granted(JsonNode credentials, java.time.Instant expiresAt) {
    }

    /**
     * The credentials as stored: client credentials get their first token now (refused ones are a 422 and nothing is
     * stored); tokens given for an authorization-code integration keep their {@code expiresIn}.
     */
    private Uni<Granted> credentials(AuthScheme scheme, JsonNode given) {
        if (AuthScheme.CLIENT_CREDENTIALS.equals(scheme.type())) {
            return accounts.firstToken(scheme, given).map(tokens -> {
                com.fasterxml.jackson.databind.node.ObjectNode stored = given.deepCopy();
                stored.put("accessToken", tokens.accessToken());
                return new Granted(stored, tokens.expiresAt());
            }).onFailure(OAuthClient.RejectedException.class)
                    .transform(e -> new Invalid("credentials_rejected",
                            "the token endpoint refused the client credentials: " + e.getMessage(), "/credentials"))
                    .onFailure(OAuthClient.UnavailableException.class)
                    .transform(e -> new UpstreamFailed("token_endpoint_unavailable", e.getMessage()));
        }
        java.time.Instant expiresAt = given.path("expiresIn").canConvertToLong()
                ? java.time.Instant.now().plusSeconds(given.get("expiresIn").asLong()) : null;
        return Uni.createFrom().item(new Granted(given, expiresAt));
    }

    private Uni<Response> initiate(java.util.UUID ownerId, ConnectRequest body, AuthScheme scheme) {
        if (body.returnUrl() != null && !dev.runwire.api.integration.HttpUrls.valid(body.returnUrl(), true)) {
            throw new Invalid("invalid_return_url", "returnUrl is an absolute http(s) URL", "/returnUrl");
        }
        return flow
                .initiate(ownerId, body.integrationKey(), body.userId(), body.entityId(), body.returnUrl()).map(
                        started -> Response.status(201)
                                .entity(AccountView.of(started.account(),
                                        OAuthFlow.authorizationUrl(scheme, started.state(), flow.callbackUrl())))
                                .build());
    }

    @GET
    public Uni<List<AccountView>> list(@QueryParam("userId") String userId,
            @QueryParam("integrationKey") String integrationKey, @QueryParam("page") String page,
            @QueryParam("pageSize") String pageSize) {
        return accounts
                .list(caller.ownerId(), userId, integrationKey, QueryParams.bounded(page, "page", 1, 1000),
                        QueryParams.bounded(pageSize, "pageSize", 10, 100))
                .map(accounts -> accounts.stream().map(AccountView::of).toList());
    }

    @GET
    @Path("{id}")
    public Uni<AccountView> get(@PathParam("id") String id) {
        return accounts.find(caller.ownerId(), QueryParams.id(id, "connected account")).map(account -> {
            if (account == null) {
                throw new NotFound("no connected account with id " + id);
            }
            return AccountView.of(account);
        });
    }

    /** Revokes the account: runs no longer use it, and its credentials are deleted. */
    @DELETE
    @Path("{id}")
    public Uni<AccountView> revoke(@PathParam("id") String id) {
        return accounts.revoke(caller.ownerId(), QueryParams.id(id, "connected account")).map(account -> {
            if (account == null) {
                throw new NotFound("no connected account with id " + id);
            }
            return AccountView.of(account);
        });
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}

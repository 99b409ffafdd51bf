package dev.runwire.api.connection;

import java.net.URI;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.error.ApiSurface;
import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.api.error.Surface;
import dev.runwire.api.integration.AuthScheme;

/**
 * Where an OAuth 2 provider sends the user back (RFC 6749 4.1.2). The state authenticates the request: it matches one
 * initiated connection, once, within the connect TTL; anything else is a 400 that changes nothing. The user's runs that
 * wait for the integration go on.
 */
@ApiSurface(value = Surface.NATIVE, apiKey = false)
@Path("/oauth/callback")
@Produces(MediaType.APPLICATION_JSON)
public class OAuthCallbackResource {

    private final OAuthFlow flow;
    private final RunConnections runs;

    OAuthCallbackResource(OAuthFlow flow, RunConnections runs) {
        this.flow = flow;
        this.runs = runs;
    }

    @GET
    public Uni<Response> callback(@QueryParam("state") String state, @QueryParam("code") String code,
            @QueryParam("error") String error) {
        if (state == null || state.isBlank() || state.length() > 200) {
            throw invalidState();
        }
        if (code != null && code.length() > 4096 || error != null && error.length() > 200) {
            throw new Invalid("invalid_callback", "code or error is too long", "");
        }
        return flow.complete(state, code, error).chain(done -> {
            if (done.account() == null) {
                throw invalidState();
            }
            ConnectedAccountResource.AccountView view = ConnectedAccountResource.AccountView.of(done.account());
            Uni<Integer> told = done.opened() == null ? Uni.createFrom().item(0)
                    : runs.connected(done.account().ownerId(), view.userId(), view.integrationKey(),
                            ConnectedAccounts.entry(AuthScheme.of(AuthScheme.AUTHORIZATION_CODE), done.opened()));
            return told.map(ignored -> answer(done.returnUrl(), view));
        });
    }

    private static Response answer(String returnUrl, ConnectedAccountResource.AccountView view) {
        if (returnUrl != null) {
            String query = "connectedAccountId=" + view.id() + "&status=" + view.status();
            return Response.status(302).location(URI.create(returnUrl + (returnUrl.contains("?") ? "&" : "?") + query))
                    .build();
        }
        return Response.status("active".equals(view.status()) ? 200 : 400).entity(view).build();
    }

    private static Malformed invalidState() {
        return new Malformed(Problem.parameter("invalid_state",
                "the state matches no connection waiting for its redirect (unknown, used or expired)", "state"));
    }
}

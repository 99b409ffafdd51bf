package dev.runwire.api.connection;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.TokenEndpointUnavailableException;
import dev.runwire.model.egress.EgressPolicy;
import dev.runwire.model.http.HttpValues;
import dev.runwire.model.json.Json;

/**
 * Calls OAuth 2 token endpoints (RFC 6749): the authorization-code exchange, refresh, and client credentials. The
 * client authenticates with HTTP basic (section 2.3.1); the endpoint's address passes the egress guard and is the one
 * connected to. Neither the form nor the answer is ever logged.
 */
@ApplicationScoped
public class OAuthClient {

    private static final Logger LOG = Logger.getLogger(OAuthClient.class);
    private static final int MAX_ANSWER = 64 * 1024;

    private final Vertx vertx;
    private final EgressPolicy egress;
    private final ApiConfig config;
    private final MeterRegistry registry;
    private WebClient client;

    OAuthClient(Vertx vertx, EgressPolicy egress, ApiConfig config, MeterRegistry registry) {
        this.vertx = vertx;
        this.egress = egress;
        this.config = config;
        this.registry = registry;
    }

    @PostConstruct
    void start() {
        client = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false).setKeepAlive(true)
                .setUserAgent("runwire-oauth").setMaxPoolSize(32));
    }

    /** What a token endpoint granted. {@code refreshToken} and {@code expiresAt} may be null. */
    public record Tokens(String accessToken, String refreshToken, Instant expiresAt) {
        @Override
        public String toString() {
            return "Tokens[(values hidden), expiresAt=" + expiresAt + "]";
        }
    }

    /** The endpoint refused the grant (HTTP 400 or 401: invalid_grant, invalid_client, ...): a retry will not help. */
    public static final class RejectedException extends RuntimeException {
        RejectedException(String error) {
            super(error);
        }
    }

    /** The endpoint could not be reached or answered something else: the grant may work later. */
    public static final class UnavailableException extends TokenEndpointUnavailableException {
        UnavailableException(String reason) {
            super(reason);
        }
    }

    /** The authorization-code grant. */
    public Uni<Tokens> exchange(String tokenUrl, String clientId, String clientSecret, String code,
            String redirectUri) {
        return grant("authorization_code", tokenUrl, clientId, clientSecret,
                Map.of("code", code, "redirect_uri", redirectUri));
    }

    /** The refresh-token grant; an answer without a new refresh token keeps the old one. */
    public Uni<Tokens> refresh(String tokenUrl, String clientId, String clientSecret, String refreshToken) {
        return grant("refresh_token", tokenUrl, clientId, clientSecret, Map.of("refresh_token", refreshToken))
                .map(tokens -> tokens.refreshToken() != null ? tokens
                        : new Tokens(tokens.accessToken(), refreshToken, tokens.expiresAt()));
    }

    /** The client-credentials grant. */
    public Uni<Tokens> clientCredentials(String tokenUrl, String clientId, String clientSecret,
            java.util.List<String> scopes) {
        return grant("client_credentials", tokenUrl, clientId, clientSecret,
                scopes == null || scopes.isEmpty() ? Map.of() : Map.of("scope", String.join(" ", scopes)));
    }

    private Uni<Tokens> grant(String grantType, String tokenUrl, String clientId, String clientSecret,
            Map<String, String> parameters) {
        URI url = URI.create(tokenUrl);
        MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", grantType);
        parameters.forEach(form::add);
        String basic = Base64.getEncoder().encodeToString(
                (formEncode(clientId) + ":" + formEncode(clientSecret)).getBytes(StandardCharsets.UTF_8));
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        long timeout = config.connections().tokenTimeout().toMillis();
        return Uni.createFrom().completionStage(() -> egress.resolveAsync(url, Infrastructure.getDefaultWorkerPool()))
                .onFailure()
                .transform(e -> new UnavailableException("the token endpoint is not reachable from Runwire"))
                // connect to the checked address; Host and SNI keep the name
                .chain(address -> client
                        .request(HttpMethod.POST, SocketAddress.inetSocketAddress(port, address.getHostAddress()),
                                new RequestOptions().setHost(url.getHost()).setPort(port).setSsl(tls)
                                        .setURI((url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                                                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery())))
                        .putHeader("Authorization", "Basic " + basic).putHeader("Accept", "application/json")
                        .timeout(timeout).sendForm(form).ifNoItem().after(java.time.Duration.ofMillis(timeout)).fail())
                .onFailure(e -> !(e instanceof UnavailableException))
                .transform(e -> new UnavailableException(
                        "the token endpoint did not answer (" + e.getClass().getSimpleName() + ")"))
                .map(response -> tokens(grantType, response))
                .invoke(tokens -> registry.counter("runwire.oauth.grants", "grant", grantType, "outcome", "ok")
                        .increment())
                .onFailure().invoke(e -> registry.counter("runwire.oauth.grants", "grant", grantType, "outcome",
                        e instanceof RejectedException ? "rejected" : "unavailable").increment());
    }

    private static Tokens tokens(String grantType, HttpResponse<io.vertx.mutiny.core.buffer.Buffer> response) {
        int status = response.statusCode();
        JsonNode body = null;
        if (response.body() != null && response.body().length() <= MAX_ANSWER) {
            try {
                body = Json.mapper().readTree(response.body().getBytes());
            } catch (java.io.IOException e) {
                body = null;
            }
        }
        if (status == 400 || status == 401) {
            String error = body == null ? "HTTP " + status : body.path("error").asText("HTTP " + status);
            // only the error code: the description may echo what was sent
            LOG.infof("the token endpoint refused a %s grant: %s", grantType, error);
            throw new RejectedException(error.length() > 100 ? error.substring(0, 100) : error);
        }
        if (status < 200 || status >= 300 || body == null || !body.path("access_token").isTextual()) {
            throw new UnavailableException("the token endpoint answered HTTP " + status + " without an access token");
        }
        // the token becomes an Authorization header of every call: one no header can carry is no token
        if (HttpValues.headerValueProblem(body.get("access_token").asText()) != null
                || body.get("access_token").asText().isEmpty()) {
            throw new UnavailableException("the token endpoint answered an access token no HTTP header can carry");
        }
        JsonNode expiresIn = body.get("expires_in");
        Instant expiresAt = null;
        if (expiresIn != null && (expiresIn.isNumber() || expiresIn.isTextual())) {
            try {
                expiresAt = Instant.now().plusSeconds(Math.max(0, Long.parseLong(expiresIn.asText().trim())));
            } catch (NumberFormatException e) {
                expiresAt = null;
            }
        }
        return new Tokens(body.get("access_token").asText(),
                body.path("refresh_token").isTextual() ? body.get("refresh_token").asText() : null, expiresAt);
    }

    /** RFC 6749 2.3.1: client id and secret are form-encoded before they are joined for basic authentication. */
    private static String formEncode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

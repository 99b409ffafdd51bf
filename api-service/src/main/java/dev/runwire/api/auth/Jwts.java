package dev.runwire.api.auth;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.JoseException;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;

import dev.runwire.api.config.ApiConfig;

/**
 * Service and user JWTs, verified with jose4j against the configured issuer and the keys of its JWKS. The key set is
 * fetched without blocking (Vert.x web client), kept, and fetched again when a token names a key it does not hold (at
 * most every 30 seconds) or when it is older than the refresh interval. See docs/adr/0018-jwt-and-rate-limits.md.
 */
@ApplicationScoped
public class Jwts {

    private static final Logger LOG = Logger.getLogger(Jwts.class);
    private static final Duration MIN_REFETCH = Duration.ofSeconds(30);

    private final ApiConfig.Jwt config;
    private final WebClient client;
    private final AtomicReference<Keys> keys = new AtomicReference<>();

    /** A fetched key set and its consumer. */
    private record Keys(JwtConsumer consumer, List<String> keyIds, long fetchedAt) {
    }

    /** A verified token's claims that matter here. */
    public record Verified(UUID ownerId, String subject, JwtClaims claims) {
    }

    /** Thrown for any token that does not verify; the detail is safe to answer. */
    public static final class InvalidTokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidTokenException(String detail) {
            super(detail, null, false, false);
        }
    }

    Jwts(ApiConfig config, Vertx vertx) {
        this.config = config.jwt();
        this.client = WebClient.create(vertx,
                new WebClientOptions().setConnectTimeout(5_000).setUserAgent("runwire-api").setMaxPoolSize(2));
    }

    public boolean configured() {
        return config.issuer().isPresent() && config.jwksUrl().isPresent();
    }

    /** A compact JWS has three dot-separated parts; API keys have none. */
    public static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2;
    }

    public Uni<Verified> verify(String token) {
        Keys current = keys.get();
        long now = System.currentTimeMillis();
        if (current == null || now - current.fetchedAt() > config.jwksRefresh().toMillis()) {
            return fetch().map(fresh -> check(fresh, token));
        }
        String kid = keyId(token);
        if (kid != null && !current.keyIds().contains(kid) && now - current.fetchedAt() > MIN_REFETCH.toMillis()) {
            return fetch().map(fresh -> check(fresh, token));
        }
        return Uni.createFrom().item(() -> check(current, token));
    }

    private Verified check(Keys with, String token) {
        try {
            JwtClaims claims = with.consumer().processToClaims(token);
            String owner = claims.getClaimValueAsString(config.ownerClaim());
            if (owner == null) {
                throw new InvalidTokenException("the token has no " + config.ownerClaim() + " claim");
            }
            UUID ownerId;
            try {
                ownerId = UUID.fromString(owner);
            } catch (IllegalArgumentException e) {
                throw new InvalidTokenException("the token's " + config.ownerClaim() + " is not an owner id");
            }
            if (claims.getSubject() == null) {
                throw new InvalidTokenException("the token has no sub claim");
            }
            return new Verified(ownerId, claims.getSubject(), claims);
        } catch (InvalidJwtException e) {
            throw new InvalidTokenException(e.hasExpired() ? "the token has expired" : "the token is not valid");
        } catch (MalformedClaimException e) {
            throw new InvalidTokenException("the token's claims are malformed");
        }
    }

    private Uni<Keys> fetch() {
        String url = config.jwksUrl().orElseThrow();
        return client.getAbs(url).timeout(5_000).send().map(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the JWKS answered HTTP " + response.statusCode());
            }
            try {
                JsonWebKeySet set = new JsonWebKeySet(response.bodyAsString());
                JwtConsumerBuilder builder = new JwtConsumerBuilder().setRequireExpirationTime()
                        .setAllowedClockSkewInSeconds(30).setExpectedIssuer(config.issuer().orElseThrow())
                        .setVerificationKeyResolver(new JwksVerificationKeyResolver(set.getJsonWebKeys()))
                        .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                                AlgorithmIdentifiers.RSA_USING_SHA256,
                                AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
                                AlgorithmIdentifiers.RSA_PSS_USING_SHA256);
                config.audience().ifPresentOrElse(builder::setExpectedAudience,
                        builder::setSkipDefaultAudienceValidation);
                Keys fresh = new Keys(builder.build(), set.getJsonWebKeys().stream().map(JsonWebKey::getKeyId).toList(),
                        System.currentTimeMillis());
                keys.set(fresh);
                return fresh;
            } catch (JoseException e) {
                throw new IllegalStateException("the JWKS is not a valid key set", e);
            }
        }).onFailure().invoke(failure -> LOG.warnf("fetching the JWKS failed: %s", failure.getMessage())).onFailure()
                .recoverWithUni(failure -> {
                    Keys stale = keys.get();
                    return stale != null ? Uni.createFrom().item(stale)
                            : Uni.createFrom().failure(new InvalidTokenException("the token cannot be verified now"));
                });
    }

    private static String keyId(String token) {
        try {
            String header = new String(java.util.Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
                    java.nio.charset.StandardCharsets.UTF_8);
            com.fasterxml.jackson.databind.JsonNode json = dev.runwire.model.json.Json.mapper().readTree(header);
            return json.path("kid").isTextual() ? json.get("kid").asText() : null;
        } catch (Exception e) {
            return null;
        }
    }
}

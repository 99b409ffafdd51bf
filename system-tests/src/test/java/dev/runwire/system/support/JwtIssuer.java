package dev.runwire.system.support;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;

import com.sun.net.httpserver.HttpServer;

import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * A JWT issuer on 127.0.0.1: its key set (public parts only) at {@code /jwks.json}, and tokens signed with its key, as
 * an identity provider an api-service is told to trust ({@code RUNWIRE_JWT_ISSUER}, {@code RUNWIRE_JWT_JWKS_URL}).
 */
public final class JwtIssuer implements AutoCloseable {

    public static final String ISSUER = "https://issuer.runwire.test";

    private final RsaJsonWebKey key;
    private final HttpServer server;

    public JwtIssuer() throws Exception {
        key = newKey("k1");
        String set = new JsonWebKeySet(key).toJson();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/jwks.json", exchange -> {
            byte[] body = set.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** A signing key of nobody the api-service trusts. */
    public static RsaJsonWebKey newKey(String id) throws Exception {
        RsaJsonWebKey generated = RsaJwkGenerator.generateJwk(2048);
        generated.setKeyId(id);
        return generated;
    }

    /** The api-service's settings that trust this issuer. */
    public Map<String, String> env() {
        return Map.of("RUNWIRE_JWT_ISSUER", ISSUER, "RUNWIRE_JWT_JWKS_URL",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    public RsaJsonWebKey key() {
        return key;
    }

    /** A token of this issuer for the owner, valid 10 minutes. */
    public String token(Owner owner, String subject, Map<String, Object> extra) throws Exception {
        return token(owner, subject, extra, key, ISSUER, 600);
    }

    /** A token signed by {@code signer} in the name of {@code issuer}. */
    public static String token(Owner owner, String subject, Map<String, Object> extra, RsaJsonWebKey signer,
            String issuer, int expiresInSeconds) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setSubject(subject);
        claims.setExpirationTime(NumericDate.fromSeconds(Instant.now().getEpochSecond() + expiresInSeconds));
        claims.setIssuedAtToNow();
        claims.setClaim("owner_id", owner.id());
        extra.forEach(claims::setClaim);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(signer.getPrivateKey());
        jws.setKeyIdHeaderValue(signer.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package dev.runwire.model.approval;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.JoseException;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.json.Json;

/**
 * Approval links: a JWS (HS256) per decision, bound to the owner, the run, the step (none for a run's start) and a hash
 * of the exact input the step will send, and expiring. The executor issues them in the events that ask for approval;
 * the api-service verifies them. The signing key is derived from the secrets key both services share, so no other key
 * has to be distributed.
 */
public final class ApprovalTokens {

    public static final String APPROVE = "APPROVE";
    public static final String DENY = "DENY";
    private static final String AUDIENCE = "runwire-approval";

    private final byte[] key;

    /**
     * @param secretsKey
     *            the base64 secrets key (RUNWIRE_SECRETS_KEY)
     */
    public ApprovalTokens(String secretsKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secretsKey), "HmacSHA256"));
            this.key = mac.doFinal("runwire approval tokens v1".getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("approval key could not be derived", e);
        }
    }

    /**
     * What a token allows.
     *
     * @param ownerId
     *            the run's owner; another owner's caller is refused
     * @param runId
     *            the run
     * @param stepId
     *            the step, or null for the approval of the run's start
     * @param decision
     *            {@link #APPROVE} or {@link #DENY}
     * @param inputHash
     *            {@link #hash(JsonNode)} of the step's input, or null for a run's start
     * @param expiresAt
     *            after this the token is refused
     */
    public record Approval(UUID ownerId, UUID runId, String stepId, String decision, String inputHash,
            Instant expiresAt) {
    }

    /** Why a token was refused. */
    public static final class InvalidTokenException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean expired;

        InvalidTokenException(String message, boolean expired) {
            super(message);
            this.expired = expired;
        }

        public boolean expired() {
            return expired;
        }
    }

    public String issue(Approval approval) {
        JwtClaims claims = new JwtClaims();
        claims.setAudience(AUDIENCE);
        claims.setSubject(approval.runId().toString());
        claims.setClaim("own", approval.ownerId().toString());
        claims.setClaim("dec", approval.decision());
        if (approval.stepId() != null) {
            claims.setClaim("stp", approval.stepId());
            claims.setClaim("ih", approval.inputHash());
        }
        claims.setIssuedAtToNow();
        claims.setExpirationTime(NumericDate.fromMilliseconds(approval.expiresAt().toEpochMilli()));
        claims.setGeneratedJwtId();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKey(new SecretKeySpec(key, "HmacSHA256"));
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("approval token could not be signed", e);
        }
    }

    public Approval verify(String token) throws InvalidTokenException {
        JwtConsumer consumer = new JwtConsumerBuilder().setRequireExpirationTime().setRequireSubject()
                .setExpectedAudience(AUDIENCE).setVerificationKey(new SecretKeySpec(key, "HmacSHA256"))
                .setJwsAlgorithmConstraints(org.jose4j.jwa.AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.HMAC_SHA256)
                .build();
        try {
            JwtClaims claims = consumer.processToClaims(token);
            return new Approval(UUID.fromString(claims.getClaimValueAsString("own")),
                    UUID.fromString(claims.getSubject()), claims.getClaimValueAsString("stp"),
                    claims.getClaimValueAsString("dec"), claims.getClaimValueAsString("ih"),
                    Instant.ofEpochMilli(claims.getExpirationTime().getValueInMillis()));
        } catch (InvalidJwtException e) {
            throw new InvalidTokenException(
                    e.hasExpired() ? "the approval token has expired" : "the approval token is not valid",
                    e.hasExpired());
        } catch (MalformedClaimException | IllegalArgumentException | NullPointerException e) {
            throw new InvalidTokenException("the approval token is not valid", false);
        }
    }

    /** SHA-256 of the input's canonical JSON (keys sorted), so a stored and reloaded input hashes the same. */
    public static String hash(JsonNode input) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Json.write(canonical(input)).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object canonical(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                sorted.put(field.getKey(), canonical(field.getValue()));
            }
            return sorted;
        }
        if (node.isArray()) {
            java.util.List<Object> items = new java.util.ArrayList<>();
            node.forEach(item -> items.add(canonical(item)));
            return items;
        }
        return node;
    }
}

package dev.runwire.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * An API key of an owner. Only its SHA-256 is stored: keys are 256 random bits, so a fast hash is as safe as a slow one
 * and keeps authentication off the CPU budget (see ADR 0003).
 */
@Entity
@Table(name = "api_keys")
public class ApiKey extends PanacheEntityBase {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Id
    public UUID id;

    @Column(name = "owner_id")
    public UUID ownerId;

    @Column(name = "key_hash")
    public String keyHash;

    public String prefix;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    /** A new random key in clear; shown once, never stored. */
    public static String generate() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return "rw_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    public static String hash(String key) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

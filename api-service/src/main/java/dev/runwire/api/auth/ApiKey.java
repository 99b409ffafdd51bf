package dev.runwire.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API keys: how one is made and how it is stored. Only its SHA-256 is stored ({@code api.api_keys}, written by the
 * admin API's {@code Owners}, read by {@link ApiKeys}): keys are 256 random bits, so a fast hash is as safe as a slow
 * one and keeps authentication off the CPU budget (see ADR 0003).
 */
public final class ApiKey {

    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKey() {
    }

    public static String generate() {
        return generate("rw_");
    }

    /** A secret of the same strength with another prefix (an MCP server's token), stored the same way. */
    public static String generate(String prefix) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
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

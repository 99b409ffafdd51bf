package dev.runwire.model.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.runwire.model.command.SealedSecret;

/**
 * Seals and opens secrets with AES-256-GCM (JCA). Sealing uses the current key; opening picks the key by the id
 * recorded in the sealed value, so keys can rotate with an overlap.
 */
public final class SecretSealer {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentKeyId;
    private final Map<String, SecretKey> keys;

    /**
     * @param currentKeyId
     *            id of the key new secrets are sealed with
     * @param base64Keys
     *            key id to base64 of a 32-byte key; must contain {@code currentKeyId}
     */
    public SecretSealer(String currentKeyId, Map<String, String> base64Keys) {
        if (!base64Keys.containsKey(currentKeyId)) {
            throw new IllegalArgumentException("no key configured for key id " + currentKeyId);
        }
        this.currentKeyId = currentKeyId;
        this.keys = Map.copyOf(base64Keys.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> toKey(e.getKey(), e.getValue()))));
    }

    /**
     * A sealer from configuration: the current key and, during a rotation, earlier keys as {@code id=base64,...}.
     */
    public static SecretSealer configured(String currentKeyId, String currentKey, java.util.Optional<String> previous) {
        Map<String, String> keys = new java.util.HashMap<>();
        previous.ifPresent(
                spec -> java.util.Arrays.stream(spec.split(",")).map(String::trim).filter(s -> s.contains("="))
                        .forEach(s -> keys.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1))));
        keys.put(currentKeyId, currentKey);
        return new SecretSealer(currentKeyId, keys);
    }

    /** The id of the key new secrets are sealed with. */
    public String currentKeyId() {
        return currentKeyId;
    }

    private static SecretKey toKey(String id, String base64) {
        byte[] raw = Base64.getDecoder().decode(base64.trim());
        if (raw.length != 32) {
            throw new IllegalArgumentException("key " + id + " must be 32 bytes, base64-encoded");
        }
        return new SecretKeySpec(raw, "AES");
    }

    /** Seals a UTF-8 secret; {@code context} (e.g. the run id) is bound as associated data. */
    public SealedSecret seal(String plaintext, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            Base64.Encoder b64 = Base64.getEncoder();
            return new SealedSecret(currentKeyId, b64.encodeToString(nonce), b64.encodeToString(sealed));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed", e);
        }
    }

    /**
     * Opens a sealed secret.
     *
     * @throws IllegalStateException
     *             if the key id is unknown or the value was tampered with, truncated or is not base64
     */
    public String open(SealedSecret sealed, String context) {
        SecretKey key = keys.get(sealed.keyId());
        if (key == null) {
            throw new IllegalStateException("unknown key id " + sealed.keyId());
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key,
                    new GCMParameterSpec(TAG_BITS, Base64.getDecoder().decode(sealed.nonce())));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(Base64.getDecoder().decode(sealed.ciphertext())), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException | java.security.ProviderException e) {
            // a truncated ciphertext makes the provider throw ProviderException, bad base64 IllegalArgumentException:
            // both are a value that cannot be opened, as a wrong tag is
            throw new IllegalStateException("sealed secret could not be opened", e);
        }
    }
}

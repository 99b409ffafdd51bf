package dev.runwire.model.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.runwire.model.command.SealedSecret;

/** A sealed value opens only with its key and context; anything damaged is one kind of refusal. */
class SecretSealerTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private final SecretSealer sealer = new SecretSealer("k1", Map.of("k1", KEY));

    @Test
    void aSealedValueOpensWithItsContextOnly() {
        SealedSecret sealed = sealer.seal("s3cret", "run-1");
        assertEquals("s3cret", sealer.open(sealed, "run-1"));
        assertThrows(IllegalStateException.class, () -> sealer.open(sealed, "run-2"));
    }

    @Test
    void damagedValuesAreRefusedAsUnopenable() {
        SealedSecret sealed = sealer.seal("s3cret", "run-1");
        String truncated = Base64.getEncoder().encodeToString(new byte[] { 1, 2, 3 });
        for (SealedSecret damaged : new SealedSecret[] { new SealedSecret("k1", sealed.nonce(), truncated),
                new SealedSecret("k1", sealed.nonce(), "not base64 !"),
                new SealedSecret("k1", "%%", sealed.ciphertext()), new SealedSecret("k1", sealed.nonce(), ""),
                new SealedSecret("k9", sealed.nonce(), sealed.ciphertext()) }) {
            assertThrows(IllegalStateException.class, () -> sealer.open(damaged, "run-1"), damaged.toString());
        }
    }
}

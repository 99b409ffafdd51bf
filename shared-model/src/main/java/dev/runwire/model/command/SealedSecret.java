package dev.runwire.model.command;

/**
 * A secret encrypted with AES-GCM under a key both services share, so it never travels or rests in clear.
 *
 * @param keyId
 *            which key sealed it (for rotation)
 * @param nonce
 *            base64 GCM nonce
 * @param ciphertext
 *            base64 ciphertext with the GCM tag
 */
public record SealedSecret(String keyId, String nonce, String ciphertext) {

    @Override
    public String toString() {
        return "SealedSecret[keyId=" + keyId + "]";
    }
}

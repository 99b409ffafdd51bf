package dev.runwire.model.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    // the example of the Standard Webhooks reference libraries' tests
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long TIMESTAMP = 1614265330L;
    private static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

    @Test
    void signsTheReferenceExample() {
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY));
    }

    @Test
    void listsOneSignaturePerSecret() {
        String other = WebhookSignature.newSecret();
        String header = WebhookSignature.header(List.of(SECRET, other), ID, TIMESTAMP, BODY);
        String[] parts = header.split(" ");
        assertEquals(2, parts.length);
        assertEquals(WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY), parts[0]);
        assertEquals(WebhookSignature.sign(other, ID, TIMESTAMP, BODY), parts[1]);
    }

    @Test
    void newSecretsAreRandomAndInTheWhsecFormat() {
        String a = WebhookSignature.newSecret();
        assertTrue(a.startsWith("whsec_"));
        assertEquals(32, java.util.Base64.getDecoder().decode(a.substring(6)).length);
        assertNotEquals(a, WebhookSignature.newSecret());
    }
}

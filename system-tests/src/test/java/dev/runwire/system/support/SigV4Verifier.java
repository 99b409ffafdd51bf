package dev.runwire.system.support;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks an AWS Signature Version 4 the way a receiving service does, written for the tests from the published
 * algorithm (canonical request, string to sign, derived signing key): independent of the signer Runwire uses.
 */
public final class SigV4Verifier {

    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})");

    /** What an Authorization header says. */
    public record Signed(String accessKeyId, String date, String region, String service, List<String> headers,
            String signature) {
    }

    private SigV4Verifier() {
    }

    public static Signed parse(Stub.Received request) {
        String authorization = request.header("Authorization");
        Matcher m = AUTHORIZATION.matcher(authorization == null ? "" : authorization);
        if (!m.matches()) {
            throw new AssertionError("not a SigV4 Authorization header: " + authorization);
        }
        return new Signed(m.group(1), m.group(2), m.group(3), m.group(4), List.of(m.group(5).split(";")), m.group(6));
    }

    /** Whether the request carries a valid signature made with this secret key. */
    public static boolean verify(Stub.Received request, String secretAccessKey) throws Exception {
        Signed signed = parse(request);
        StringBuilder headers = new StringBuilder();
        for (String name : signed.headers()) {
            String value = request.header(name);
            if (value == null) {
                return false;
            }
            headers.append(name).append(':').append(value.trim().replaceAll(" +", " ")).append('\n');
        }
        String payloadHash = request.header("x-amz-content-sha256") != null ? request.header("x-amz-content-sha256")
                : hex(sha256(request.body().getBytes(StandardCharsets.UTF_8)));
        String canonical = String.join("\n", request.method(), request.path(), canonicalQuery(request.query()),
                headers.toString(), String.join(";", signed.headers()), payloadHash);
        String scope = signed.date() + "/" + signed.region() + "/" + signed.service() + "/aws4_request";
        String toSign = String.join("\n", "AWS4-HMAC-SHA256", request.header("x-amz-date"), scope,
                hex(sha256(canonical.getBytes(StandardCharsets.UTF_8))));
        byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), signed.date());
        key = hmac(key, signed.region());
        key = hmac(key, signed.service());
        key = hmac(key, "aws4_request");
        return hex(hmac(key, toSign)).equals(signed.signature());
    }

    /** Parameters decoded, encoded again as RFC 3986 says, sorted by name then value. */
    private static String canonicalQuery(String raw) {
        if (raw == null || raw.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            pairs.add(new String[] { encode(name), encode(value) });
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        return String.join("&", pairs.stream().map(p -> p[0] + "=" + p[1]).toList());
    }

    private static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}

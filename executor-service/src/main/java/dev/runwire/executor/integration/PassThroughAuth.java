package dev.runwire.executor.integration;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

import dev.runwire.executor.config.ExecutorConfig;
import dev.runwire.model.json.Json;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Provider credentials of a run's pass-through {@code values} (as the runs API defines them): AWS temporary credentials
 * sign the call with Signature V4 (the AWS SDK's signer); an AWS role is assumed first with Runwire's own credentials
 * through STS; an Okta service app's {@code private_key_jwt} client assertion is signed (jose4j) and exchanged at its
 * token URL for a bearer token. Used for that one call, never stored or logged; token endpoints pass the egress guard.
 */
@ApplicationScoped
public class PassThroughAuth {

    private static final Logger LOG = Logger.getLogger(PassThroughAuth.class);
    private static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern AWS_HOST = Pattern
            .compile("(?:[^.]+\\.)?([a-z0-9-]+)\\.([a-z]{2}(?:-[a-z]+)+-\\d+)\\.amazonaws\\.com");

    private final ExecutorConfig config;
    private final Egress egress;
    private final WebClient client;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    PassThroughAuth(ExecutorConfig config, Egress egress, Vertx vertx) {
        this.config = config;
        this.egress = egress;
        this.client = WebClient.create(vertx,
                new WebClientOptions().setFollowRedirects(false).setUserAgent("runwire-executor").setMaxPoolSize(16));
    }

    /** Pass-through values that cannot be used: the message never quotes them. */
    public static final class UnusableException extends RuntimeException {
        UnusableException(String message) {
            super(message);
        }
    }

    /** What a call carries: a bearer token, or AWS credentials to sign with for a region and service. */
    public record Prepared(String bearer, AwsSessionCredentialsIdentity aws, String region, String service) {

        static final Prepared NONE = new Prepared(null, null, null, null);

        @Override
        public String toString() {
            return "Prepared[(values hidden)]";
        }
    }

    /**
     * Turns the values into what the call to {@code target} carries (an assumed role or an Okta token may need I/O).
     */
    public Uni<Prepared> prepare(JsonNode values, URI target) {
        if (values == null || values.isNull()) {
            return Uni.createFrom().item(Prepared.NONE);
        }
        if (values.has("accessKeyId")) {
            return Uni.createFrom().item(aws(values, AwsSessionCredentialsIdentity.create(text(values, "accessKeyId"),
                    text(values, "secretAccessKey"), text(values, "sessionToken")), target));
        }
        if (values.has("roleArn")) {
            return assumeRole(values).map(credentials -> aws(values, credentials, target));
        }
        if (values.has("privateKey")) {
            return okta(values).map(token -> new Prepared(token, null, null, null));
        }
        throw new UnusableException("pass-through values are AWS credentials, an AWS role or an Okta service app");
    }

    /**
     * The headers that sign a request with Signature V4: the signer sees its method, URL, query, the headers to sign
     * ({@code Host}, and {@code Content-Type} when there is a body) and the payload.
     */
    public Map<String, String> sign(Prepared prepared, HttpMethod method, URI url, MultiMap query, String contentType,
            byte[] body) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method.name()))
                .uri(url);
        query.forEach(entry -> request.appendRawQueryParameter(entry.getKey(), entry.getValue()));
        if (contentType != null) {
            request.putHeader("Content-Type", contentType);
        }
        SdkHttpRequest signed = signer.sign(r -> r.identity(prepared.aws()).request(request.build())
                .payload(body == null ? null : ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, prepared.service())
                .putProperty(AwsV4HttpSigner.REGION_NAME, prepared.region())).request();
        Map<String, String> headers = new LinkedHashMap<>();
        signed.forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Type")) {
                headers.put(name, values.get(0));
            }
        });
        return headers;
    }

    private static Prepared aws(JsonNode values, AwsSessionCredentialsIdentity credentials, URI target) {
        String region = values.path("region").asText(null);
        String service = values.path("service").asText(null);
        Matcher host = AWS_HOST.matcher(target.getHost());
        if ((region == null || service == null) && host.matches()) {
            service = service == null ? host.group(1) : service;
            region = region == null ? host.group(2) : region;
        }
        if (region == null || service == null) {
            throw new UnusableException("AWS signing needs a region and a service: give values.region and "
                    + "values.service, or call an *.<service>.<region>.amazonaws.com host");
        }
        return new Prepared(null, credentials, region, service);
    }

    /** STS AssumeRole (Query API, 2011-06-15), signed with Runwire's own AWS credentials. */
    private Uni<AwsSessionCredentialsIdentity> assumeRole(JsonNode values) {
        ExecutorConfig.Aws aws = config.aws();
        if (aws.accessKeyId().isEmpty() || aws.secretAccessKey().isEmpty()) {
            throw new UnusableException("assuming an AWS role needs Runwire's own AWS credentials "
                    + "(RUNWIRE_AWS_ACCESS_KEY_ID, RUNWIRE_AWS_SECRET_ACCESS_KEY)");
        }
        URI sts = URI.create(aws.stsEndpoint());
        String form = "Action=AssumeRole&Version=2011-06-15&DurationSeconds=900&RoleSessionName=" + "runwire-"
                + UUID.randomUUID().toString().substring(0, 8) + "&RoleArn=" + encode(text(values, "roleArn"))
                + "&ExternalId=" + encode(text(values, "externalId"));
        byte[] body = form.getBytes(StandardCharsets.UTF_8);
        Prepared own = new Prepared(null, AwsSessionCredentialsIdentity.create(aws.accessKeyId().get(),
                aws.secretAccessKey().get(), aws.sessionToken().orElse("")), aws.region(), "sts");
        String contentType = "application/x-www-form-urlencoded; charset=utf-8";
        Map<String, String> signature = sign(own, HttpMethod.POST, sts, MultiMap.caseInsensitiveMultiMap(), contentType,
                body);
        return post(sts, contentType, signature, body).map(response -> {
            String xml = response.bodyAsString();
            if (response.statusCode() != 200 || xml == null) {
                throw new UnusableException("STS refused to assume the role (HTTP " + response.statusCode() + ")");
            }
            return AwsSessionCredentialsIdentity.create(xmlValue(xml, "AccessKeyId"), xmlValue(xml, "SecretAccessKey"),
                    xmlValue(xml, "SessionToken"));
        });
    }

    /** Okta's client credentials with a {@code private_key_jwt} client assertion (RFC 7523). */
    private Uni<String> okta(JsonNode values) {
        String tokenUrl = text(values, "oauthTokenUrl");
        String assertion;
        try {
            JwtClaims claims = new JwtClaims();
            claims.setIssuer(text(values, "clientId"));
            claims.setSubject(text(values, "clientId"));
            claims.setAudience(tokenUrl);
            claims.setGeneratedJwtId();
            claims.setIssuedAtToNow();
            claims.setExpirationTimeMinutesInTheFuture(5);
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setKey(privateKey(text(values, "privateKey")));
            jws.setKeyIdHeaderValue(text(values, "kid"));
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
            assertion = jws.getCompactSerialization();
        } catch (org.jose4j.lang.JoseException | java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new UnusableException("the Okta private key could not sign a client assertion "
                    + "(a PEM-encoded PKCS#8 RSA key is expected)");
        }
        String form = "grant_type=client_credentials&scope=" + encode(text(values, "scope")) + "&client_assertion_type="
                + encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") + "&client_assertion="
                + encode(assertion);
        return post(URI.create(tokenUrl), "application/x-www-form-urlencoded", Map.of(),
                form.getBytes(StandardCharsets.UTF_8)).map(response -> {
                    JsonNode answer = response.statusCode() == 200 ? Json.tree(response.bodyAsString()) : null;
                    if (answer == null || !answer.path("access_token").isTextual()) {
                        LOG.infof("the Okta token endpoint refused a client assertion (HTTP %d)",
                                response.statusCode());
                        throw new UnusableException("the Okta token endpoint refused the client assertion (HTTP "
                                + response.statusCode() + ")");
                    }
                    return answer.get("access_token").asText();
                });
    }

    private Uni<HttpResponse<Buffer>> post(URI url, String contentType, Map<String, String> headers, byte[] body) {
        return egress.resolve(url).chain(address -> {
            var request = Egress.request(client, HttpMethod.POST, url, address).putHeader("Content-Type", contentType)
                    .putHeader("Accept", "application/json").timeout(EXCHANGE_TIMEOUT.toMillis());
            headers.forEach(request::putHeader);
            return request.sendBuffer(Buffer.buffer(body));
        }).ifNoItem().after(EXCHANGE_TIMEOUT).fail().onFailure(e -> !(e instanceof UnusableException))
                .transform(e -> new UnusableException(
                        "the token endpoint could not be reached (" + e.getClass().getSimpleName() + ")"));
    }

    private static PrivateKey privateKey(String pem) throws java.security.GeneralSecurityException {
        String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    private static String xmlValue(String xml, String element) {
        Matcher matcher = Pattern.compile("<" + element + ">([^<]+)</" + element + ">").matcher(xml);
        if (!matcher.find()) {
            throw new UnusableException("the STS answer has no " + element);
        }
        return matcher.group(1).trim();
    }

    private static String text(JsonNode values, String field) {
        JsonNode value = values.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new UnusableException("pass-through values lack " + field);
        }
        return value.asText();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

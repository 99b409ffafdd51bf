package dev.runwire.system.connection;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwx.JsonWebStructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.runwire.system.support.AuthorizationServer;
import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.SecretScan;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SigV4Verifier;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;

/**
 * Provider credentials in a run's pass-through {@code values}: AWS temporary credentials sign the call with Signature
 * V4 (checked by a verifier written from the algorithm), an AWS role is assumed through STS with Runwire's own signed
 * credentials and its temporary credentials sign the call, an Okta service app's private_key_jwt assertion is signed
 * and exchanged for the bearer token the call carries. None of the secrets is found in clear in logs, Kafka records,
 * tables or answers; malformed values are a 422 that writes nothing.
 */
class PassThroughValuesIT {

    static final String OWN_KEY_ID = "AKIDRUNWIRE";
    static final String OWN_SECRET = "own-secret-" + UUID.randomUUID();
    static final String ROLE_SECRET = "role-secret-" + UUID.randomUUID();
    static final String ROLE_TOKEN = "role-token-" + UUID.randomUUID();
    static final String OKTA_TOKEN = "okta-at-" + UUID.randomUUID();

    static IsolatedTopics topics;
    static ServiceProcess api;
    static ServiceProcess executor;
    @NewStub
    static Stub stub;
    static String key;

    @BeforeAll
    static void setUp() throws Exception {
        stub.on("/items/", 200, "{\"id\":\"i\",\"price\":1}", 0);
        stub.on("/sts", 200, "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId>"
                + "<SecretAccessKey>" + ROLE_SECRET + "</SecretAccessKey><SessionToken>" + ROLE_TOKEN
                + "</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>"
                + "</AssumeRoleResponse>", 0);
        stub.on("/okta/token", 200, "{\"access_token\":\"" + OKTA_TOKEN + "\",\"token_type\":\"Bearer\"}", 0);
        topics = new IsolatedTopics("values");
        api = ServiceProcess.api("api-values", topics.apiEnv(Map.of())).start();
        Map<String, String> executorEnv = new HashMap<>(topics.executorEnv());
        executorEnv.put("RUNWIRE_AWS_ACCESS_KEY_ID", OWN_KEY_ID);
        executorEnv.put("RUNWIRE_AWS_SECRET_ACCESS_KEY", OWN_SECRET);
        executorEnv.put("RUNWIRE_AWS_STS_ENDPOINT", stub.baseUrl() + "/sts");
        executorEnv.put("RUNWIRE_AWS_REGION", "eu-central-1");
        executor = ServiceProcess.executor("executor-values", executorEnv).start();
        SystemUnderTest.awaitFlowing(api);
        key = SystemUnderTest.newOwner(api);
        SystemUnderTest.integration(api, key, "provider", stub.baseUrl());
        action(api, key, "get_item", "provider", "/items", 5_000);
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        executor.stop();
        api.stop();
        topics.close();
    }

    static io.restassured.response.Response run(String id, Map<String, Object> values) {
        return as(api, key)
                .body(Map.of("key", "get_item", "userId", "u", "input", Map.of("id", id, "q", "a b&c"), "passThrough",
                        List.of(Map.of("customerIntegrationId", "provider", "values", values))))
                .post("/v1/actions/run");
    }

    @Test
    void providerCredentialsAreUsedForTheCallAndAppearInClearNowhere() throws Exception {
        List<String> secrets = new ArrayList<>(List.of(OWN_SECRET, ROLE_SECRET, ROLE_TOKEN, OKTA_TOKEN));
        List<String> answers = new ArrayList<>();

        // AWS temporary credentials
        String secret = "aws-secret-" + UUID.randomUUID();
        String session = "aws-session-" + UUID.randomUUID();
        secrets.addAll(List.of(secret, session));
        answers.add(
                run("aws1",
                        Map.of("accessKeyId", "AKIDCALLER", "secretAccessKey", secret, "sessionToken", session,
                                "region", "eu-west-1", "service", "execute-api")).then().statusCode(200).extract()
                                        .asString());
        Stub.Received signed = stub.receivedUnder("/items/aws1").get(0);
        SigV4Verifier.Signed parsed = SigV4Verifier.parse(signed);
        assertEquals("AKIDCALLER", parsed.accessKeyId());
        assertEquals("eu-west-1", parsed.region());
        assertEquals("execute-api", parsed.service());
        assertTrue(parsed.headers().contains("host"), parsed.headers().toString());
        assertEquals(session, signed.header("X-Amz-Security-Token"));
        assertTrue(SigV4Verifier.verify(signed, secret), "the signature verifies with the caller's secret");
        assertFalse(SigV4Verifier.verify(signed, "another-secret"));

        // an AWS role: STS is asked with Runwire's own signed credentials, the call signed with the role's
        answers.add(run("role1", Map.of("roleArn", "arn:aws:iam::123456789012:role/reader", "externalId", "ext-42",
                "region", "eu-west-1", "service", "execute-api")).then().statusCode(200).extract().asString());
        Stub.Received assume = stub.receivedUnder("/sts").get(stub.receivedUnder("/sts").size() - 1);
        Map<String, String> form = AuthorizationServer.form(assume.body());
        assertEquals("AssumeRole", form.get("Action"));
        assertEquals("arn:aws:iam::123456789012:role/reader", form.get("RoleArn"));
        assertEquals("ext-42", form.get("ExternalId"));
        assertEquals(OWN_KEY_ID, SigV4Verifier.parse(assume).accessKeyId());
        assertEquals("sts", SigV4Verifier.parse(assume).service());
        assertTrue(SigV4Verifier.verify(assume, OWN_SECRET), "STS sees Runwire's own signature");
        Stub.Received asRole = stub.receivedUnder("/items/role1").get(0);
        assertEquals("ASIAROLE", SigV4Verifier.parse(asRole).accessKeyId());
        assertEquals(ROLE_TOKEN, asRole.header("X-Amz-Security-Token"));
        assertTrue(SigV4Verifier.verify(asRole, ROLE_SECRET), "the call is signed with the role's credentials");

        // an Okta service app: a private_key_jwt assertion exchanged for a bearer token
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        secrets.add(pem.split("\n")[2]);
        String tokenUrl = stub.baseUrl() + "/okta/token";
        answers.add(
                run("okta1",
                        Map.of("clientId", "0oa-client", "kid", "key-1", "privateKey", pem, "oauthTokenUrl", tokenUrl,
                                "scope", "okta.users.read okta.groups.read")).then().statusCode(200).extract()
                                        .asString());
        Map<String, String> exchange = AuthorizationServer.form(stub.receivedUnder("/okta/token").get(0).body());
        assertEquals("client_credentials", exchange.get("grant_type"));
        assertEquals("okta.users.read okta.groups.read", exchange.get("scope"));
        assertEquals("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", exchange.get("client_assertion_type"));
        JwtConsumer consumer = new JwtConsumerBuilder().setVerificationKey(pair.getPublic())
                .setExpectedIssuer("0oa-client").setExpectedSubject("0oa-client").setExpectedAudience(tokenUrl)
                .setRequireExpirationTime().setRequireJwtId().build();
        JwtClaims claims = consumer.processToClaims(exchange.get("client_assertion"));
        assertEquals("0oa-client", claims.getIssuer());
        assertEquals("key-1",
                JsonWebStructure.fromCompactSerialization(exchange.get("client_assertion")).getKeyIdHeaderValue());
        assertEquals("Bearer " + OKTA_TOKEN, stub.receivedUnder("/items/okta1").get(0).header("Authorization"));

        // unusable values fail the step with a message that quotes none of them
        String broken = run("broken1",
                Map.of("clientId", "c", "kid", "k", "privateKey", "not a key", "oauthTokenUrl", tokenUrl, "scope", "s"))
                        .then().statusCode(502).body("errors[0].code", equalTo("pass_through_unusable")).extract()
                        .asString();
        assertFalse(broken.contains("not a key"), broken);
        answers.add(broken);

        for (String value : secrets) {
            for (String answer : answers) {
                assertFalse(answer.contains(value), "a secret in an answer: " + answer);
            }
            for (ServiceProcess service : List.of(api, executor)) {
                assertFalse(service.logText().contains(value), "a secret in the log " + service.log);
            }
            assertEquals(List.of(), SecretScan.tablesContaining(value), "a secret in tables of schema api");
            assertEquals(List.of(), SecretScan.recordsContaining(value, topics.commands, topics.events),
                    "a secret in Kafka records");
        }
    }

    @Test
    void malformedValuesAreRefusedAndNothingIsWritten() throws Exception {
        long before = (Long) SystemUnderTest.query("select count(*) from api.runs").get(0).get(0);
        List<Object> bad = List.of(
                // two kinds at once
                Map.of("customerIntegrationId", "provider", "values",
                        Map.of("accessKeyId", "a", "secretAccessKey", "s", "sessionToken", "t", "roleArn", "r",
                                "externalId", "e")),
                // no integration named
                Map.of("values", Map.of("roleArn", "r", "externalId", "e")),
                // a field of no kind
                Map.of("customerIntegrationId", "provider", "values",
                        Map.of("roleArn", "r", "externalId", "e", "password", "p")),
                // not a string
                Map.of("customerIntegrationId", "provider", "values", Map.of("roleArn", "r", "externalId", 5)),
                // incomplete
                Map.of("customerIntegrationId", "provider", "values", Map.of("accessKeyId", "a")));
        for (Object entry : bad) {
            String answer = as(api, key)
                    .body(Map.of("key", "get_item", "userId", "u", "input", Map.of("id", "bad"), "passThrough",
                            List.of(entry)))
                    .post("/v1/actions/run").then().statusCode(422)
                    .body("errors[0].code", equalTo("invalid_pass_through")).extract().asString();
            assertFalse(answer.contains("\"s\"") || answer.contains("\"p\""), answer);
        }
        assertEquals(before, (Long) SystemUnderTest.query("select count(*) from api.runs").get(0).get(0));
        assertTrue(stub.receivedUnder("/items/bad").isEmpty());
    }
}

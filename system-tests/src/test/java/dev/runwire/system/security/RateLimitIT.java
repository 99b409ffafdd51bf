package dev.runwire.system.security;

import static dev.runwire.system.support.SystemUnderTest.owner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.response.Response;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.JwtIssuer;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SystemUnderTest;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Rate limits and JWTs with two api-service replicas on one database: never more than the limit admitted per window
 * between them, the {@code X-RateLimit-*} headers on every counted response, the runs API's 429 with
 * {@code Retry-After}; service and user JWTs verified against a local issuer's JWKS, their {@code rate_limit}
 * ({@code limit_override}, {@code exempt}) and {@code billing} claims honoured; bad tokens refused.
 */
class RateLimitIT {

    static final String ISSUER = JwtIssuer.ISSUER;
    static IsolatedTopics topics;
    static JwtIssuer issuer;
    static RsaJsonWebKey key;
    static ServiceProcess api1;
    static ServiceProcess api2;

    @BeforeAll
    static void setUp() throws Exception {
        issuer = new JwtIssuer();
        key = issuer.key();
        topics = new IsolatedTopics("ratelimit");
        Map<String, String> env = new HashMap<>(issuer.env());
        env.put("RUNWIRE_RATE_LIMIT_DEFAULT_LIMIT", "200");
        api1 = ServiceProcess.api("api-ratelimit-1", topics.apiEnv(env)).start();
        api2 = ServiceProcess.api("api-ratelimit-2", topics.apiEnv(env)).start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        api2.stop();
        api1.stop();
        topics.close();
        issuer.close();
    }

    /** Waits out the end of the current 300 s window if it is near, so one test's requests count in one window. */
    static void awayFromAWindowEdge() {
        org.awaitility.Awaitility.await("40 s left in the rate-limit window").atMost(java.time.Duration.ofSeconds(45))
                .pollInterval(java.time.Duration.ofMillis(500))
                .until(() -> 300 - Instant.now().getEpochSecond() % 300 >= 40);
    }

    static String jwt(Owner owner, String subject, Map<String, Object> extra, RsaJsonWebKey signer, String issuer,
            int expiresInSeconds) throws Exception {
        return JwtIssuer.token(owner, subject, extra, signer, issuer, expiresInSeconds);
    }

    static String jwt(Owner owner, String subject, Map<String, Object> extra) throws Exception {
        return jwt(owner, subject, extra, key, ISSUER, 600);
    }

    static Response get(ServiceProcess api, String bearer) {
        return RestAssured.given().baseUri(api.url()).header("Authorization", "Bearer " + bearer).get("/v1/runs");
    }

    /** Sends requests alternately to both replicas from 8 threads; the answers in order of submission. */
    static List<Response> burst(String bearer, int requests) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                ServiceProcess api = i % 2 == 0 ? api1 : api2;
                answers.add(clients.submit(() -> get(api, bearer)));
            }
            List<Response> responses = new ArrayList<>();
            for (Future<Response> answer : answers) {
                responses.add(answer.get());
            }
            return responses;
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void twoReplicasNeverAdmitMoreThanTheDefaultLimitTogether() throws Exception {
        awayFromAWindowEdge();
        Owner owner = owner(api1);
        List<Response> responses = burst(owner.apiKey(), 260);
        long admitted = responses.stream().filter(r -> r.statusCode() == 200).count();
        assertEquals(200, admitted, "exactly the default limit of 200 per window");
        assertEquals(60, responses.stream().filter(r -> r.statusCode() == 429).count());
        long reset = Instant.now().getEpochSecond() / 300 * 300 + 300;
        for (Response response : responses) {
            assertEquals("200", response.header("X-RateLimit-Limit"));
            assertEquals(String.valueOf(reset), response.header("X-RateLimit-Reset"));
            int remaining = Integer.parseInt(response.header("X-RateLimit-Remaining"));
            assertTrue(remaining >= 0 && remaining < 200);
        }
        Response refused = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
        assertEquals("0", refused.header("X-RateLimit-Remaining"));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 300, "Retry-After " + retryAfter);
        assertEquals(429, refused.jsonPath().getInt("errors[0].status"));
        assertEquals("too_many_requests", refused.jsonPath().getString("errors[0].code"));
        assertEquals("Rate limit exceeded. Too many requests.", refused.jsonPath().getString("errors[0].detail"));
        // another key of another owner has its own count
        get(api2, owner(api1).apiKey()).then().statusCode(200).header("X-RateLimit-Remaining", "199");
    }

    /**
     * A limit that the replicas' slices do not divide (333 leased in slices of 16, the last one 13), over both replicas
     * at once: exactly the limit admitted, the window's row never granted more, and each replica's
     * {@code X-RateLimit-Remaining} going down with each request it admitted.
     */
    @Test
    void theLastSliceOfAWindowIsWhatRemainsAndNoReplicaGoesPastIt() throws Exception {
        awayFromAWindowEdge();
        Owner owner = owner(api1);
        String subject = "odd-" + java.util.UUID.randomUUID();
        String token = jwt(owner, subject, Map.of("rate_limit", Map.of("limit_override", 333)));
        List<Response> responses = burst(token, 400);
        assertEquals(333, responses.stream().filter(r -> r.statusCode() == 200).count());
        assertEquals(67, responses.stream().filter(r -> r.statusCode() == 429).count());
        for (int replica = 0; replica < 2; replica++) {
            java.util.Set<String> remaining = new java.util.HashSet<>();
            int admittedHere = 0;
            for (int i = replica; i < responses.size(); i += 2) {
                Response response = responses.get(i);
                assertEquals("333", response.header("X-RateLimit-Limit"));
                if (response.statusCode() == 200) {
                    admittedHere++;
                    remaining.add(response.header("X-RateLimit-Remaining"));
                } else {
                    assertEquals("0", response.header("X-RateLimit-Remaining"));
                }
            }
            assertEquals(admittedHere, remaining.size(), "replica " + (replica + 1) + " told each request its own");
        }
        List<List<Object>> window = SystemUnderTest
                .query("select count from api.rate_windows where subject = 'jwt:" + ISSUER + ":" + subject + "'");
        assertEquals(List.of(List.of(333)), window, "the slices granted add up to the limit and no more");
        // a request more, on either replica, is refused without the window moving
        get(api1, token).then().statusCode(429).header("X-RateLimit-Remaining", "0");
        get(api2, token).then().statusCode(429).header("X-RateLimit-Remaining", "0");
    }

    @Test
    void aJwtsLimitOverrideAndExemptionAreHonoured() throws Exception {
        awayFromAWindowEdge();
        Owner owner = owner(api1);
        String five = jwt(owner, "user-5", Map.of("rate_limit", Map.of("exempt", false, "limit_override", 5)));
        List<Response> responses = burst(five, 9);
        assertEquals(5, responses.stream().filter(r -> r.statusCode() == 200).count());
        assertTrue(responses.stream().allMatch(r -> "5".equals(r.header("X-RateLimit-Limit"))));
        // the runs API's rate_limit and billing claims may also come as a JSON string
        String exempt = jwt(owner, "service-a", Map.of("rate_limit", "{\"exempt\": true}"));
        List<Response> free = burst(exempt, 250);
        assertTrue(free.stream().allMatch(r -> r.statusCode() == 200), "an exempt token is never limited");
        assertNull(free.get(0).header("X-RateLimit-Limit"), "and not counted");
        // a plain token of another subject counts against the default
        get(api1, jwt(owner, "user-plain", Map.of())).then().statusCode(200).header("X-RateLimit-Limit", "200")
                .header("X-RateLimit-Remaining", "199");
    }

    @Test
    void tokensThatDoNotVerifyAreRefused() throws Exception {
        Owner owner = owner(api1);
        RsaJsonWebKey stranger = RsaJwkGenerator.generateJwk(2048);
        stranger.setKeyId("k1");
        List<String> bad = List.of(jwt(owner, "u", Map.of(), stranger, ISSUER, 600),
                jwt(owner, "u", Map.of(), key, "https://someone.else", 600),
                jwt(owner, "u", Map.of(), key, ISSUER, -120),
                jwt(owner, "u", Map.of("rate_limit", Map.of("limit_override", 5000))),
                jwt(owner, "u", Map.of("owner_id", "not-an-owner")),
                jwt(owner, "u", Map.of("owner_id", java.util.UUID.randomUUID().toString())), "a.b.c");
        for (String token : bad) {
            get(api1, token).then().statusCode(401);
        }
        get(api2, jwt(owner, "u", Map.of())).then().statusCode(200);
    }

    @Test
    void theBillingClaimDecidesWhetherARunConsumesATask() throws Exception {
        Owner owner = owner(api1);
        SystemUnderTest.integration(api1, owner.apiKey(), "stub", "http://127.0.0.1:9");
        SystemUnderTest.action(api1, owner.apiKey(), "item", "stub", "/item", 1_000);
        String billable = jwt(owner, "user-b", Map.of("billing",
                "{\"is_billable\": true, \"origin\": \"actions_api\", \"usage_type\": \"action_run\"}"));
        String unbilled = jwt(owner, "user-c", Map.of("billing", Map.of("is_billable", false)));
        Map<String, Object> body = Map.of("key", "item", "userId", "u", "input", Map.of("id", "1"), "async", true);
        // no balance at all: a billable request has no task to take
        run(billable, body).then().statusCode(402);
        RestAssured.given().baseUri(api1.url()).contentType("application/json")
                .header("Authorization", "Bearer " + SystemUnderTest.ADMIN_TOKEN).body(Map.of("tasks", 1))
                .post("/admin/owners/" + owner.id() + "/tasks").then().statusCode(200);
        run(billable, body).then().statusCode(202);
        run(billable, body).then().statusCode(402);
        run(unbilled, body).then().statusCode(202);
        // with a balance, the owner's API-key requests are billed by default
        RestAssured.given().baseUri(api2.url()).contentType("application/json").header("x-api-key", owner.apiKey())
                .body(body).post("/v1/actions/run").then().statusCode(402);
        io.restassured.path.json.JsonPath account = RestAssured.given().baseUri(api2.url())
                .header("Authorization", "Bearer " + unbilled).get("/v1/billing").then().statusCode(200).extract()
                .jsonPath();
        assertEquals(0, account.getLong("balance"));
        assertEquals(List.of("charge", "credit"), account.getList("ledger.kind"));
        assertEquals("actions_api", account.getString("ledger[0].details.origin"));
    }

    @Test
    void runStreamsAcceptTokensAndCountAgainstTheLimit() throws Exception {
        awayFromAWindowEdge();
        Owner owner = owner(api1);
        String two = jwt(owner, "streamer", Map.of("rate_limit", Map.of("limit_override", 2)));
        String path = "/v1/runs/" + java.util.UUID.randomUUID() + "/sse";
        // a token is accepted (another owner's or an unknown run is a 404), and each opening counts
        RestAssured.given().baseUri(api1.url()).header("Authorization", "Bearer " + two).get(path).then()
                .statusCode(404).header("X-RateLimit-Limit", "2").header("X-RateLimit-Remaining", "1");
        RestAssured.given().baseUri(api2.url()).header("Authorization", "Bearer " + two).get(path).then()
                .statusCode(404).header("X-RateLimit-Remaining", "0");
        Response refused = RestAssured.given().baseUri(api1.url()).header("Authorization", "Bearer " + two).get(path);
        refused.then().statusCode(429).header("X-RateLimit-Limit", "2");
        assertTrue(Long.parseLong(refused.header("Retry-After")) >= 1, refused.headers().toString());
        assertEquals("too_many_requests", refused.jsonPath().getString("errors[0].code"));
        // a token that does not verify is a 401
        RestAssured.given().baseUri(api1.url())
                .header("Authorization", "Bearer " + jwt(owner, "s", Map.of(), key, "https://someone.else", 600))
                .get(path).then().statusCode(401);
    }

    static Response run(String bearer, Map<String, Object> body) {
        return RestAssured.given().baseUri(api1.url()).contentType("application/json")
                .header("Authorization", "Bearer " + bearer).body(body).post("/v1/actions/run");
    }
}

package dev.runwire.system.resilience;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.Plans;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest;

/**
 * Rotating the secrets key while runs execute, the way docs/adr/0023 describes it: every service already accepts the
 * new key as a previous one; a replica that seals with the new key joins while the old one keeps serving; the reseal
 * command moves the stored credentials to the new key. Runs are started on both replicas the whole time, and none
 * fails; the account's credentials are under the new key afterwards and still work from both replicas.
 */
class KeyRotationIT {

    static final String OLD_ID = "test-1";
    static final String NEW_ID = "rot-2";
    static final String NEW_KEY = newKey();

    static IsolatedTopics topics;
    static ServiceProcess oldApi;
    static ServiceProcess newApi;
    static ServiceProcess executor;
    @NewStub
    static Stub stub;

    @BeforeAll
    static void setUp() throws Exception {
        topics = new IsolatedTopics("rotation");
        stub.on("/vault/", 200, "{\"id\":\"v\",\"price\":1}", 200);
        Map<String, String> old = new HashMap<>(SystemUnderTest.secondDatabase());
        old.put("RUNWIRE_SECRETS_PREVIOUS", NEW_ID + "=" + NEW_KEY);
        oldApi = ServiceProcess.api("api-rotation-old", topics.apiEnv(old)).start();
        Map<String, String> executorEnv = new HashMap<>(topics.executorEnv());
        executorEnv.put("RUNWIRE_SECRETS_PREVIOUS", NEW_ID + "=" + NEW_KEY);
        executor = ServiceProcess.executor("executor-rotation", executorEnv).start();
        SystemUnderTest.awaitFlowing(oldApi);
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        for (ServiceProcess service : new ServiceProcess[] { newApi, oldApi, executor }) {
            if (service != null) {
                service.stop();
            }
        }
        topics.close();
    }

    @Test
    void noRunFailsWhileTheKeyRotates() throws Exception {
        String key = SystemUnderTest.newOwner(oldApi);
        as(oldApi, key).body(
                Map.of("key", "vault", "name", "vault", "baseUrl", stub.baseUrl(), "auth", Map.of("type", "bearer")))
                .post("/v1/integrations").then().statusCode(201);
        action(oldApi, key, "vault_get", "vault", "/vault", 5_000);
        String token = "tok_" + UUID.randomUUID();
        String account = as(oldApi, key)
                .body(Map.of("integrationKey", "vault", "userId", "u", "credentials", Map.of("token", token)))
                .post("/v1/connected-accounts").then().statusCode(201).extract().path("id");
        assertEquals(OLD_ID, keyIdOf(account));

        List<String> runIds = new CopyOnWriteArrayList<>();
        List<ServiceProcess> replicas = new CopyOnWriteArrayList<>(List.of(oldApi));
        AtomicBoolean going = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            int n = 0;
            while (going.get()) {
                ServiceProcess api = replicas.get(n % replicas.size());
                Map<String, Object> body = new HashMap<>(
                        Plans.runBody(List.of(Plans.step("A", "vault_get", List.of(), Map.of("id", "r" + n)))));
                body.put("userId", "u");
                runIds.add(as(api, key).body(body).post("/v1/runs").then().statusCode(201).extract().path("runId"));
                n++;
            }
        });
        load.start();
        try {
            // the replica that seals with the new key joins; the old one keeps serving
            Map<String, String> fresh = new HashMap<>(SystemUnderTest.secondDatabase());
            fresh.put("RUNWIRE_SECRETS_KEY_ID", NEW_ID);
            fresh.put("RUNWIRE_SECRETS_KEY", NEW_KEY);
            fresh.put("RUNWIRE_SECRETS_PREVIOUS", OLD_ID + "=" + SystemUnderTest.SECRETS_KEY);
            newApi = ServiceProcess.api("api-rotation-new", topics.apiEnv(fresh)).start();
            replicas.add(newApi);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runIds.size() > 20);

            JsonPath resealed = RestAssured.given().baseUri(newApi.url())
                    .header("Authorization", "Bearer " + SystemUnderTest.ADMIN_TOKEN).post("/admin/secrets/reseal")
                    .then().statusCode(200).body("keyId", equalTo(NEW_ID)).extract().jsonPath();
            assertTrue(resealed.getInt("tables.connected_accounts.resealed") >= 1, resealed.prettify());
            assertEquals(NEW_ID, keyIdOf(account));
            int before = runIds.size();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runIds.size() > before + 20);
        } finally {
            going.set(false);
            load.join();
        }

        for (String runId : runIds) {
            Awaitility.await("run " + runId).atMost(Duration.ofSeconds(60)).until(() -> {
                String status = as(oldApi, key).get("/v1/runs/" + runId).then().extract().path("status");
                assertTrue(!"FAILED".equals(status) && !"NO_SUCCESS".equals(status), runId + " ended " + status);
                return "SUCCESS".equals(status);
            });
        }
        List<Stub.Received> calls = stub.receivedUnder("/vault/");
        assertEquals(runIds.size(), calls.size());
        calls.forEach(call -> assertEquals("Bearer " + token, call.header("Authorization")));
        // the resealed account still works from both replicas
        for (ServiceProcess api : List.of(oldApi, newApi)) {
            as(api, key).body(Map.of("key", "vault_get", "userId", "u", "input", Map.of("id", "after")))
                    .post("/v1/actions/run").then().statusCode(200);
        }
        // a second pass finds nothing of this owner left under the old key
        RestAssured.given().baseUri(newApi.url()).header("Authorization", "Bearer " + SystemUnderTest.ADMIN_TOKEN)
                .post("/admin/secrets/reseal").then().statusCode(200)
                .body("tables.connected_accounts.resealed", equalTo(0));
        RestAssured.given().baseUri(newApi.url()).post("/admin/secrets/reseal").then().statusCode(401);
    }

    @Test
    void aRunSealedUnderAKeyTheExecutorLacksFailsWithTheReasonAndOthersGoOn() throws Exception {
        // a replica with a key the executor was never given (a rotation done out of order)
        Map<String, String> unknown = new HashMap<>(SystemUnderTest.secondDatabase());
        unknown.put("RUNWIRE_SECRETS_KEY_ID", "rot-unknown");
        unknown.put("RUNWIRE_SECRETS_KEY", newKey());
        ServiceProcess stray = ServiceProcess.api("api-rotation-stray", topics.apiEnv(unknown)).start();
        try {
            String key = SystemUnderTest.newOwner(stray);
            SystemUnderTest.integration(stray, key, "plain", stub.baseUrl());
            stub.on("/plain/", 200, "{\"id\":\"p\",\"price\":1}", 0);
            action(stray, key, "plain_get", "plain", "/plain", 5_000);
            as(stray, key)
                    .body(Map.of("key", "plain_get", "userId", "u", "input", Map.of("id", "stray"), "passThrough",
                            List.of(Map.of("headers", Map.of("X-Token", "t")))))
                    .post("/v1/actions/run").then().statusCode(502)
                    .body("errors[0].code", equalTo("pass_through_unreadable"));
            assertTrue(stub.receivedUnder("/plain/stray").isEmpty(), "nothing was called");
            // the executor goes on with the runs it can open
            as(oldApi, key).body(Map.of("key", "plain_get", "userId", "u", "input", Map.of("id", "fine")))
                    .post("/v1/actions/run").then().statusCode(200);
        } finally {
            stray.stop();
        }
    }

    private static String keyIdOf(String account) throws java.sql.SQLException {
        List<List<Object>> rows = SystemUnderTest.query(SystemUnderTest.JDBC_URL_2,
                "select key_id, sealed::jsonb ->> 'keyId' from api.connected_accounts where id = '" + account + "'");
        assertEquals(rows.get(0).get(0), rows.get(0).get(1), "the key id column matches the sealed value");
        return (String) rows.get(0).get(0);
    }

    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}

package dev.runwire.system.console;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.json.Json;
import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.JwtIssuer;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedExecutor;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;
import dev.runwire.system.support.Tools;

/**
 * Signing in to the console with a JWT of the issuer the api-service trusts (ADR 0038): the page sends it as a Bearer
 * token on every request and on the run's live stream, never in a URL; a token of another signer is refused on the
 * form. Driven in headless Chromium by {@code system-tests/console/jwt-sign-in.mjs}.
 */
class ConsoleJwtIT {

    @SharedExecutor
    static ServiceProcess executor;
    @SharedTopics
    static IsolatedTopics topics;
    @NewStub
    static Stub stub;
    static JwtIssuer issuer;
    static ServiceProcess api;
    static Owner owner;

    @BeforeAll
    static void setUp() throws Exception {
        issuer = new JwtIssuer();
        api = ServiceProcess.api("api-console-jwt", topics.apiEnv(issuer.env())).start();
        owner = dev.runwire.system.support.SystemUnderTest.owner(api);
        integration(api, owner.apiKey(), "stub", stub.baseUrl());
        action(api, owner.apiKey(), "item", "stub", "/item", 10_000);
        stub.on("/item/", 200, "{\"id\":\"i\",\"price\":2}", 0);
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        ServiceProcess.assertNoThreadBlocked(api);
        api.stop();
        issuer.close();
    }

    @Test
    void aJwtSignsInAndTravelsAsABearerTokenOnly() throws Exception {
        String runId = as(api, owner.apiKey()).body(Map.of("key", "item", "userId", "u-1", "input", Map.of("id", "j")))
                .post("/v1/actions/run").then().statusCode(200).extract().path("runId");
        String token = issuer.token(owner, "console-user", Map.of());
        String foreign = JwtIssuer.token(owner, "console-user", Map.of(), JwtIssuer.newKey("k1"), JwtIssuer.ISSUER,
                600);

        Path out = ServiceProcess.ROOT.resolve("system-tests/target/console-jwt.out");
        Files.createDirectories(out.getParent());
        ProcessBuilder builder = new ProcessBuilder("node",
                ServiceProcess.ROOT.resolve("system-tests/console/jwt-sign-in.mjs").toString())
                        .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().putAll(Map.of("BASE", api.url(), "JWT", token, "FOREIGN_JWT", foreign, "RUN_ID", runId,
                "PLAYWRIGHT", Tools.playwright().toString(), "CHROMIUM", Tools.chromium().toString()));
        Process node = builder.start();
        assertTrue(node.waitFor(2, TimeUnit.MINUTES), "jwt-sign-in.mjs did not end within 2 minutes");
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        String last = lines.isEmpty() ? "{}" : lines.get(lines.size() - 1);
        JsonNode result = Json.tree(last);
        assertTrue(result.path("ok").asBoolean(), String.join("\n", lines));
        assertEquals(List.of(1L, 2L, 3L, 4L), Json.mapper().convertValue(result.get("timeline"),
                Json.mapper().getTypeFactory().constructCollectionType(List.class, Long.class)), last);
        int requests = result.get("requests").asInt();
        assertTrue(requests >= 3, "the page asked the API: " + last);
        // the refused token's sign-in check, then everything with the issuer's token
        assertTrue(result.get("foreign").asInt() >= 1, "the refused token was tried: " + last);
        assertEquals(requests, result.get("bearer").asInt() + result.get("foreign").asInt(),
                "every request carries one of the two JWTs as a Bearer token: " + last);
        assertEquals(0, result.get("withKeyHeader").asInt(), "no x-api-key sent: " + last);
        assertEquals(0, result.get("tokenInUrl").asInt(), "the token is never in a URL: " + last);
    }
}

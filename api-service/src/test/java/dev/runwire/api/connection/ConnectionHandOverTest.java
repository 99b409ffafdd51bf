package dev.runwire.api.connection;

import static dev.runwire.api.Owners.action;
import static dev.runwire.api.Owners.as;
import static dev.runwire.api.Owners.newOwnerKey;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.RunTopics;
import dev.runwire.model.Topics;
import dev.runwire.model.command.ConnectionProvided;
import dev.runwire.model.json.Json;

/**
 * A run accepted for a user without an account for one of its steps' integrations waits for it; when the user connects,
 * the run gets one command, keyed by the run and typed in {@code rw-type}, whose credentials are sealed for that run:
 * the secret crosses neither the topic nor the accounts table in the clear. Another owner sees nothing of it.
 */
@QuarkusTest
class ConnectionHandOverTest {

    @Inject
    Pool pool;

    String key;
    RunTopics.Tail commands;

    @BeforeEach
    void ownerWithABearerIntegration() {
        key = newOwnerKey();
        as(key).body(Map.of("key", "bearer_api", "name", "bearer_api", "baseUrl", "http://127.0.0.1:9", "auth",
                Map.of("type", "bearer"))).post("/v1/integrations").then().statusCode(201);
        as(key).body(action("get_item", "bearer_api")).post("/v1/actions").then().statusCode(201);
        commands = RunTopics.tail(Topics.RUN_COMMANDS);
    }

    @AfterEach
    void close() {
        commands.close();
    }

    @Test
    void connectingHandsSealedCredentialsToTheWaitingRunOnly() {
        String user = "erin-" + UUID.randomUUID();
        String runId = as(key)
                .body(Map.of("intent", "get an item", "userId", user, "selectedCustomerIntegrationIds", List.of("*"),
                        "plan",
                        Map.of("steps",
                                List.of(Map.of("id", "a", "description", "get it", "action", Map.of("key", "get_item"),
                                        "input", Map.of("id", "1"))))))
                .post("/v1/runs").then().statusCode(201).extract().path("runId");
        commands.recordOf(runId); // the run's own command

        String token = "tok_" + UUID.randomUUID();
        String account = as(key)
                .body(Map.of("integrationKey", "bearer_api", "userId", user, "credentials", Map.of("token", token)))
                .post("/v1/connected-accounts").then().statusCode(201).body("status", equalTo("active")).extract()
                .asString();
        assertFalse(account.contains(token), account);

        ConsumerRecord<String, String> command = commands.recordOf(runId);
        assertEquals(ConnectionProvided.TYPE, RunTopics.header(command, Topics.TYPE_HEADER));
        assertEquals(runId, Json.tree(command.value()).get("runId").asText());
        assertEquals("bearer_api", Json.tree(command.value()).get("integrationKey").asText());
        assertFalse(command.value().contains(token), "the command carries the credentials sealed");

        String stored = pool.preparedQuery("select a::text from api.connected_accounts a where user_id = $1")
                .execute(Tuple.of(user)).await().atMost(Duration.ofSeconds(5)).iterator().next().getString(0);
        assertFalse(stored.contains(token), "the account's row holds the credentials sealed");

        String accountId = io.restassured.path.json.JsonPath.from(account).getString("id");
        String stranger = newOwnerKey();
        as(stranger).get("/v1/connected-accounts/" + accountId).then().statusCode(404);
        as(stranger).get("/v1/connected-accounts?userId=" + user).then().statusCode(200).body("size()", equalTo(0));
    }
}

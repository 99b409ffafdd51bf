package dev.runwire.api.callback;

import static dev.runwire.api.Owners.action;
import static dev.runwire.api.Owners.as;
import static dev.runwire.api.Owners.integration;
import static dev.runwire.api.Owners.newOwnerKey;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.api.RunTopics;
import dev.runwire.model.callback.WebhookSignature;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;

/**
 * A run's end reaches its callback URL once, signed: the test plays the executor by publishing the run's events, and a
 * receiver it starts records what arrives. What crosses the boundaries is checked: the request's Standard Webhooks
 * headers against the owner's secret, the delivery's rows, and that a redelivered event sends nothing twice.
 */
@QuarkusTest
class CallbackDeliveryTest {

    /** One request the receiver got. */
    record Received(String id, String timestamp, String signature, byte[] body) {
    }

    @Inject
    Pool pool;

    String key;
    RunTopics topics;
    HttpServer receiver;
    final List<Received> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void ownerAndReceiver() throws IOException {
        key = newOwnerKey();
        integration(key, "stub", "http://127.0.0.1:9");
        as(key).body(action("get_item", "stub")).post("/v1/actions").then().statusCode(201);
        topics = new RunTopics();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks", exchange -> {
            var headers = exchange.getRequestHeaders();
            received.add(new Received(headers.getFirst("webhook-id"), headers.getFirst("webhook-timestamp"),
                    headers.getFirst("webhook-signature"), exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void close() {
        receiver.stop(0);
        topics.close();
    }

    @Test
    void aRunsEndIsDeliveredOnceSignedWithTheOwnersSecret() {
        UUID runId = acceptedRun();
        List<RunEvent> events = List.of(event(runId, 1, RunEventType.RUN_STARTED, RunStatus.RUNNING),
                event(runId, 2, RunEventType.RUN_SUCCEEDED, RunStatus.SUCCESS));
        topics.publish(events.toArray(RunEvent[]::new));

        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 1);
        Received callback = received.get(0);
        String secret = as(key).get("/v1/webhook-secret").then().statusCode(200).extract().path("secret");
        assertEquals(
                WebhookSignature.sign(secret, callback.id(), Long.parseLong(callback.timestamp()), callback.body()),
                callback.signature());
        JsonNode body = Json.tree(new String(callback.body(), StandardCharsets.UTF_8));
        assertEquals(runId.toString(), body.get("runId").asText());
        assertEquals("SUCCESS", body.get("status").asText());

        await().atMost(Duration.ofSeconds(10)).until(() -> "succeeded".equals(delivery(runId).getString("state")));
        Row delivery = delivery(runId);
        assertEquals(callback.id(), delivery.getUUID("id").toString());
        assertEquals(2, delivery.getLong("run_seq"));
        assertEquals("RUN_SUCCEEDED", delivery.getString("event_type"));
        assertEquals(1, delivery.getInteger("attempts"));
        assertEquals(204, delivery.getInteger("status_code"));

        // the same events again, then another run's end: that one arrives, the first run's does not arrive twice
        topics.publish(events.toArray(RunEvent[]::new));
        UUID marker = acceptedRun();
        topics.publish(event(marker, 1, RunEventType.RUN_FAILED, RunStatus.FAILED));
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 2);
        assertEquals(marker.toString(),
                Json.tree(new String(received.get(1).body(), StandardCharsets.UTF_8)).get("runId").asText());
        assertEquals(1, pool.preparedQuery("select count(*) from api.deliveries where run_id = $1")
                .execute(Tuple.of(runId)).await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0));
    }

    private UUID acceptedRun() {
        String callbackUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks";
        String runId = as(key)
                .body(Map.of("key", "get_item", "userId", "u1", "input", Map.of("id", "42"), "async", true,
                        "callbackUrl", callbackUrl))
                .post("/v1/actions/run").then().statusCode(202).extract().path("runId");
        return UUID.fromString(runId);
    }

    private static RunEvent event(UUID runId, long seq, RunEventType type, RunStatus status) {
        return new RunEvent(RunEvent.idFor(runId, seq), runId, seq, type, null, null, Instant.now(), status, null, null,
                null, null, null, null);
    }

    private Row delivery(UUID runId) {
        var rows = pool.preparedQuery("""
                select d.id, d.run_seq, d.event_type, d.state, d.attempts, a.status_code
                from api.deliveries d left join api.delivery_attempts a on a.delivery_id = d.id
                where d.run_id = $1""").execute(Tuple.of(runId)).await().atMost(Duration.ofSeconds(5));
        assertEquals(1, rows.size());
        return rows.iterator().next();
    }
}

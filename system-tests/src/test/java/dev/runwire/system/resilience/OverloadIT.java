package dev.runwire.system.resilience;

import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.ownerWithActions;
import static dev.runwire.system.support.SystemUnderTest.query;
import static dev.runwire.system.support.SystemUnderTest.runCount;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.Plans;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * With the broker stopped (SIGSTOP: it holds its connections but answers nothing, as a hung or partitioned broker), run
 * requests get 503 with {@code Retry-After} and nothing is written; once it continues (SIGCONT), the service accepts
 * runs again by itself. The broker is the test broker of {@code ./runwire test}.
 */
class OverloadIT {

    private static final Path KAFKA_PID = ServiceProcess.ROOT.resolve(".runwire/kafka-test.pid");

    static void signal(String signal) throws Exception {
        String pid = Files.readString(KAFKA_PID).trim();
        Process kill = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
    }

    @Test
    void runRequestsGet503WhileKafkaIsAwayAndAreAcceptedAgainWhenItIsBack(@SharedApi ServiceProcess api,
            @NewStub Stub stub) throws Exception {
        stub.on("/item/", 200, "{\"id\":\"i\",\"price\":1}", 0);
        Owner owner = ownerWithActions(api, stub, "item");
        Map<String, Object> body = Map.of("key", "item", "userId", "u", "input", Map.of("id", "k"));
        as(api, owner.apiKey()).body(body).post("/v1/actions/run").then().statusCode(200);

        signal("STOP");
        try {
            Awaitility.await("503 while Kafka is away").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> as(api, owner.apiKey())
                            .body(Map.of("key", "item", "userId", "u", "input", Map.of("id", "k"), "async", true))
                            .post("/v1/actions/run").statusCode() == 503);
            long runs = runCount(owner.id());
            long outbox = (Long) query("select count(*) from api.outbox").get(0).get(0);
            for (int i = 0; i < 5; i++) {
                as(api, owner.apiKey()).body(body).post("/v1/actions/run").then().statusCode(503)
                        .header("Retry-After", "5").body("errors[0].status", equalTo(503))
                        .body("errors[0].detail", equalTo("Service is temporarily unavailable"));
                as(api, owner.apiKey())
                        .body(Plans.runBody(
                                java.util.List.of(Plans.step("A", "item", java.util.List.of(), Map.of("id", "p")))))
                        .post("/v1/runs").then().statusCode(503);
            }
            assertEquals(runs, runCount(owner.id()), "nothing was written");
            assertEquals(outbox, (Long) query("select count(*) from api.outbox").get(0).get(0));
            // reads do not need Kafka
            as(api, owner.apiKey()).get("/v1/runs").then().statusCode(200);
        } finally {
            signal("CONT");
        }
        Awaitility.await("accepted again by itself").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> as(api, owner.apiKey()).body(body).post("/v1/actions/run").statusCode() == 200);
        // what was accepted before the stop finished
        Awaitility.await("every accepted run ended").atMost(Duration.ofSeconds(60))
                .until(() -> (Long) query(
                        "select count(*) from api.runs where owner_id = '" + owner.id() + "' and status <> 'SUCCESS'")
                                .get(0).get(0) == 0L);
    }
}

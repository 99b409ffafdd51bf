package dev.runwire.system.resilience;

import static dev.runwire.system.support.Plans.create;
import static dev.runwire.system.support.Plans.finished;
import static dev.runwire.system.support.Plans.ref;
import static dev.runwire.system.support.Plans.runBody;
import static dev.runwire.system.support.Plans.step;
import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static dev.runwire.system.support.SystemUnderTest.newOwner;
import static dev.runwire.system.support.SystemUnderTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.Stub;

/**
 * {@code kill -9} of the executor in the middle of a five-step plan: a new executor resumes the run from its stored
 * state; steps that finished are never run again, the step in flight is repeated with the same idempotency key, and the
 * read model holds every event exactly once.
 */
class PlanCrashIT {

    @Test
    void aKilledExecutorsPlanFinishesWithEachCompletedStepRunOnce() throws Exception {
        try (IsolatedTopics topics = new IsolatedTopics("plancrash"); Stub stub = new Stub();
                ServiceProcess api = ServiceProcess.api("api-plancrash", topics.apiEnv(Map.of())).start();
                ServiceProcess first = ServiceProcess.executor("executor-plancrash-1", topics.executorEnv()).start()) {
            stub.on("/chain/", 200, "{\"id\":\"next\",\"price\":1}", 1_500);
            String key = newOwner(api);
            integration(api, key, "stub", stub.baseUrl());
            action(api, key, "chain", "stub", "/chain", 10_000);
            List<String> ids = List.of("A", "B", "C", "D", "E");
            List<Map<String, Object>> steps = List.of(step("A", "chain", List.of(), Map.of("id", "A")),
                    step("B", "chain", List.of("A"), Map.of("id", "B")),
                    step("C", "chain", List.of("B"), Map.of("id", "C")),
                    step("D", "chain", List.of("C"), Map.of("id", "D", "q", ref("C", "/id"))),
                    step("E", "chain", List.of("D"), Map.of("id", "E")));
            String runId = create(api, key, runBody(steps));

            Awaitility.await("step C in flight").atMost(Duration.ofSeconds(60))
                    .until(() -> !stub.receivedUnder("/chain/C").isEmpty());
            first.kill9();
            assertTrue(stub.receivedUnder("/chain/D").isEmpty(), "killed before D started");

            try (ServiceProcess second = ServiceProcess.executor("executor-plancrash-2", topics.executorEnv())
                    .start()) {
                JsonPath run = finished(api, key, runId);
                assertEquals("SUCCESS", run.getString("status"));
            }
            for (String id : List.of("A", "B", "D", "E")) {
                assertEquals(1, stub.receivedUnder("/chain/" + id).size(), "step " + id + " ran once");
            }
            List<Stub.Received> c = stub.receivedUnder("/chain/C");
            assertTrue(c.size() == 1 || c.size() == 2, "C ran once or was repeated once: " + c.size());
            assertEquals(1, c.stream().map(r -> r.header("Idempotency-Key")).distinct().count(),
                    "a repeated call carries the same idempotency key");
            assertEquals("q=next", stub.receivedUnder("/chain/D").get(0).query(), "D read C's output");

            List<List<Object>> events = query("select seq, type, stepId from (select seq, type, payload->>'stepId' "
                    + "as stepId from api.run_events where run_id = '" + runId + "') e order by seq");
            assertEquals(12, events.size(), "start, 5 x (started, succeeded), end: " + events);
            for (int i = 0; i < events.size(); i++) {
                assertEquals((long) i + 1, events.get(i).get(0));
            }
            String succeeded = events.stream().filter(e -> "STEP_SUCCEEDED".equals(e.get(1)))
                    .map(e -> String.valueOf(e.get(2))).collect(Collectors.joining(","));
            assertEquals(String.join(",", ids), succeeded, "each step succeeded once, in order");
        }
    }
}

package dev.runwire.system.run;

import static dev.runwire.system.support.SystemUnderTest.action;
import static dev.runwire.system.support.SystemUnderTest.as;
import static dev.runwire.system.support.SystemUnderTest.integration;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.runwire.system.support.IsolatedTopics;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SharedExecutor;
import dev.runwire.system.support.SharedTopics;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * A caller answered with its run's end reads that end next, on any replica (ADR 0044): two api-service replicas share
 * the read model's partitions, so about half of each replica's runs are stored by the other one, which announces the
 * stored end through PostgreSQL; the waiting replica hears it instead of looking at the store.
 */
class ReadYourWritesIT {

    private static final int RUNS_PER_REPLICA = 20;

    @SharedApi
    static ServiceProcess api;
    @SharedExecutor
    static ServiceProcess executor;
    @SharedTopics
    static IsolatedTopics topics;
    static ServiceProcess replica;
    @NewStub
    static Stub stub;
    @NewOwner
    static Owner owner;

    @BeforeAll
    static void setUp() {
        replica = ServiceProcess.api("api-ryw", topics.apiEnv(Map.of())).start();
        integration(api, owner.apiKey(), "stub", stub.baseUrl());
        action(api, owner.apiKey(), "item", "stub", "/item", 10_000);
        stub.on("/item/", 200, "{\"id\":\"i\",\"price\":2}", 0);
        // the replicas settle their share of the partitions before anything is counted
        for (int i = 0; i < 6; i++) {
            run(i % 2 == 0 ? api : replica, "warm-" + i);
        }
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        ServiceProcess.assertNoThreadBlocked(replica);
        replica.stop();
    }

    @Test
    void theEndAnAnswerGaveIsWhatTheNextReadShowsOnEitherReplica() {
        double looksBefore = looks();
        for (int i = 0; i < RUNS_PER_REPLICA; i++) {
            for (ServiceProcess answering : List.of(api, replica)) {
                String runId = run(answering, "r-" + i);
                for (ServiceProcess reading : List.of(answering, answering == api ? replica : api)) {
                    as(reading, owner.apiKey()).get("/v1/runs/" + runId + "?includeEvents=true").then().statusCode(200)
                            .body("status", equalTo("SUCCESS")).body("events.type[-1]", equalTo("RUN_SUCCEEDED"));
                }
            }
        }
        // about half of the runs were stored by the replica that did not answer: without its announcement each of them
        // would have been looked for at least once
        double looked = looks() - looksBefore;
        assertTrue(looked <= RUNS_PER_REPLICA / 4.0,
                "stored ends heard, not looked for: " + looked + " looks for " + 2 * RUNS_PER_REPLICA + " runs");
    }

    private static double looks() {
        return api.metric("runwire_read_model_answer_looks_total")
                + replica.metric("runwire_read_model_answer_looks_total");
    }

    private static String run(ServiceProcess replica, String id) {
        return as(replica, owner.apiKey()).body(Map.of("key", "item", "userId", "u-1", "input", Map.of("id", id)))
                .post("/v1/actions/run").then().statusCode(200).body("output.id", equalTo("i")).extract().path("runId");
    }
}

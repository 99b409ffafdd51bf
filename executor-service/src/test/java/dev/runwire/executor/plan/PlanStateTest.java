package dev.runwire.executor.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

import dev.runwire.executor.plan.PlanState.Step;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.StepStatus;

/** A step's attempt number is part of the stored state, and states stored before it existed still read. */
class PlanStateTest {

    private static final String STORED_WITHOUT_ATTEMPTS = """
            {"started":true,"steps":{"A":{"status":"RUNNING","input":{"id":"x"}},"B":{"status":"PENDING"}}}""";

    @Test
    void aStateStoredBeforeAttemptsWereCountedStartsAtTheFirst() {
        PlanState state = PlanState.fromJson(STORED_WITHOUT_ATTEMPTS);
        assertEquals(StepStatus.RUNNING, state.step("A").status());
        assertEquals(1, state.step("A").attempts());
        assertEquals("x", state.step("A").input().get("id").asText());
    }

    @Test
    void theNextAttemptIsStoredAndReadBack() {
        PlanState state = PlanState.fromJson(STORED_WITHOUT_ATTEMPTS);
        state.set("A", state.step("A").nextAttempt().nextAttempt());
        PlanState read = PlanState.fromJson(state.toJson());
        Step a = read.step("A");
        assertEquals(3, a.attempts());
        assertEquals(StepStatus.RUNNING, a.status());
        assertEquals("x", a.input().get("id").asText());
    }

    @Test
    void aFirstAttemptAddsNothingToTheStoredForm() {
        PlanState state = PlanState.fromJson(STORED_WITHOUT_ATTEMPTS);
        assertFalse(Json.write(state.step("A")).contains("attempt"), Json.write(state.step("A")));
        assertEquals(Json.read(STORED_WITHOUT_ATTEMPTS, com.fasterxml.jackson.databind.JsonNode.class).get("steps"),
                Json.read(state.toJson(), com.fasterxml.jackson.databind.JsonNode.class).get("steps"));
    }
}

package dev.runwire.executor.step;

import static dev.runwire.executor.RunFixture.external;
import static dev.runwire.executor.RunFixture.json;
import static dev.runwire.executor.RunFixture.plan;
import static dev.runwire.executor.RunFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.runwire.executor.RunFixture;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;

/** Results reported for actions their caller carries out. */
class ExternalResultsTest {

    private static final String SCHEMA = "{\"type\":\"object\",\"required\":[\"ok\"],\"properties\":{\"ok\":{\"type\":\"boolean\"}}}";

    private final RunFixture f = new RunFixture();

    @Test
    void aMatchingResultEndsTheStepAndTheRunGoesOn() {
        f.begin(plan(step("A", external(json(SCHEMA)), json("{}")), step("B", "A")));
        f.report("A", "{\"ok\":true}");
        assertEquals(StepStatus.SUCCEEDED, f.status("A"));
        assertEquals(List.of("B"), f.launched());
        assertEquals(RunStatus.RUNNING, f.runStatus());
    }

    @ParameterizedTest
    @ValueSource(strings = { "{}", "{\"ok\":1}", "[]", "\"text\"", "{\"ok\":null}" })
    void aResultBreakingTheSchemaFailsTheStep(String output) {
        f.begin(plan(step("A", external(json(SCHEMA)), json("{}"))));
        f.report("A", output);
        assertEquals(StepStatus.FAILED, f.status("A"));
        assertEquals(Codes.OUTPUT_SCHEMA_VIOLATION, f.event(RunEventType.STEP_FAILED, "A").error().code());
        assertTrue(!f.event(RunEventType.STEP_FAILED, "A").error().violations().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = { "{}", "[1]", "null", "3" })
    void anyJsonIsAcceptedWithoutASchema(String output) {
        f.begin(plan(step("A", external(null), json("{}"))));
        f.report("A", output);
        assertEquals(StepStatus.SUCCEEDED, f.status("A"));
        assertEquals(RunStatus.SUCCESS, f.runStatus());
    }

    @Test
    void aResultForAStepThatDoesNotWaitChangesNothing() {
        f.begin(plan(step("A", external(null), json("{}")), step("B")));
        int before = f.events.size();
        f.report("B", "{}");
        f.report("nope", "{}");
        assertEquals(before, f.events.size());
    }

    @Test
    void aSecondResultChangesNothing() {
        f.begin(plan(step("A", external(null), json("{}")), step("B")));
        f.report("A", "{\"first\":1}");
        int before = f.events.size();
        f.report("A", "{\"second\":2}");
        assertEquals(before, f.events.size());
        assertEquals(json("{\"first\":1}"), f.run.plan().step("A").output());
    }

    @Test
    void aResultAfterTheRunWasAbortedChangesNothing() {
        f.begin(plan(step("A", external(null), json("{}"))));
        f.abort();
        assertEquals(StepStatus.CANCELED, f.status("A"));
        int before = f.events.size();
        f.report("A", "{}");
        assertEquals(before, f.events.size());
    }
}

package dev.runwire.executor.step;

import static dev.runwire.executor.RunFixture.plan;
import static dev.runwire.executor.RunFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.runwire.executor.RunFixture;
import dev.runwire.executor.integration.StepOutcome;
import dev.runwire.executor.plan.Changes;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;

/** What a call's outcome does to its step, and outcomes that arrive too late to count. */
class StepOutcomesTest {

    private final RunFixture f = new RunFixture();

    @Test
    void aSuccessStoresTheOutput() {
        f.begin(plan(step("A"), step("B")));
        f.succeed("A", "{\"x\":1}");
        assertEquals(StepStatus.SUCCEEDED, f.status("A"));
        assertEquals(RunFixture.json("{\"x\":1}"), f.run.plan().step("A").output());
        assertEquals(RunFixture.json("{\"x\":1}"), f.event(RunEventType.STEP_SUCCEEDED, "A").output());
    }

    @ParameterizedTest
    @ValueSource(strings = { Codes.INVALID_OUTPUT, Codes.OUTPUT_SCHEMA_VIOLATION, Codes.MAPPING_ERROR,
            Codes.EGRESS_REFUSED, Codes.PASS_THROUGH_UNUSABLE, Codes.REQUEST_REFUSED, Codes.INTEGRATION_TIMEOUT,
            Codes.INTEGRATION_UNREACHABLE })
    void aFailureFailsTheStepWithItsError(String code) {
        f.begin(plan(step("A")));
        RunError error = RunError.of(code, "why");
        f.fail("A", error);
        assertEquals(StepStatus.FAILED, f.status("A"));
        assertEquals(error, f.event(RunEventType.STEP_FAILED, "A").error());
        assertEquals(error, f.run.plan().step("A").error());
    }

    @Test
    void anOutcomeForAStepThatNoLongerRunsIsDropped() {
        f.begin(plan(step("A")));
        f.succeed("A", "{}");
        Changes changes = new Changes(f.run, RunFixture.CLOCK);
        assertFalse(f.outcomes.apply(changes, f.run.step("A"), StepOutcome.success(RunFixture.json("{}"))));
        assertTrue(changes.transition().isEmpty());
    }

    @Test
    void theCancelledCallsOutcomeAfterAnAbortMidCallIsDropped() {
        f.begin(plan(step("A"), step("B")));
        f.abort();
        assertEquals(List.of("A", "B"), f.last.cancels());
        Changes changes = new Changes(f.run, RunFixture.CLOCK);
        assertFalse(f.outcomes.apply(changes, f.run.step("A"),
                StepOutcome.failure(RunError.of(Codes.CANCELED, "the call was cancelled: the run was aborted"))));
        assertEquals(RunStatus.CANCELED, f.runStatus());
        assertEquals(StepStatus.CANCELED, f.status("A"));
    }

    @Test
    void abortingAfterSomeStepsSucceededKeepsThem() {
        f.begin(plan(step("A"), step("B")));
        f.succeed("A", "{}");
        f.abort();
        assertEquals(StepStatus.SUCCEEDED, f.status("A"));
        assertEquals(StepStatus.CANCELED, f.status("B"));
        assertEquals(List.of("B"), f.last.cancels());
        assertEquals(RunEventType.RUN_CANCELED, f.lastEvent().type());
    }

    @Test
    void refusedCredentialsWithoutAnAccountStillWait() {
        f.begin(plan(step("A")));
        f.fail("A", new RunError(Codes.CREDENTIALS_INVALID, "401", 401, null));
        assertEquals(StepStatus.AWAITING_CONNECTION, f.status("A"));
        assertEquals(null, f.event(RunEventType.STEP_AUTH_REQUIRED, "A").connect().accountId());
        assertEquals(RunStatus.AUTH_REQUIRED, f.runStatus());
    }
}

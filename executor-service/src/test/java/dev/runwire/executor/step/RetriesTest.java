package dev.runwire.executor.step;

import static dev.runwire.executor.RunFixture.json;
import static dev.runwire.executor.RunFixture.plan;
import static dev.runwire.executor.RunFixture.step;
import static dev.runwire.executor.RunFixture.withRetry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.runwire.executor.RunFixture;
import dev.runwire.executor.plan.Launch;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;

/** Which failures are tried again, how often, and after how long. */
class RetriesTest {

    static Stream<Arguments> httpStatuses() {
        List<Arguments> cases = new ArrayList<>();
        for (int status : new int[] { 400, 401, 403, 404, 405, 409, 410, 422, 499 }) {
            cases.add(Arguments.of(status, false));
        }
        for (int status : new int[] { 408, 429, 500, 501, 502, 503, 504, 599 }) {
            cases.add(Arguments.of(status, true));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "HTTP {0}: {1}")
    @MethodSource("httpStatuses")
    void anHttpFailureIsRetriedOnlyIfItMayPass(int status, boolean retryable) {
        assertEquals(retryable,
                Retries.retryable(new RunError(Codes.INTEGRATION_HTTP_ERROR, "HTTP " + status, status, null)));
    }

    @ParameterizedTest
    @ValueSource(strings = { Codes.INTEGRATION_TIMEOUT, Codes.INTEGRATION_UNREACHABLE })
    void timeoutsAndRefusedConnectionsAreRetried(String code) {
        assertTrue(Retries.retryable(RunError.of(code, "x")));
    }

    @ParameterizedTest
    @ValueSource(strings = { Codes.INVALID_OUTPUT, Codes.OUTPUT_SCHEMA_VIOLATION, Codes.MAPPING_ERROR,
            Codes.CREDENTIALS_INVALID, Codes.EGRESS_REFUSED, Codes.PASS_THROUGH_UNUSABLE, Codes.REQUEST_REFUSED,
            Codes.CANCELED, Codes.INTERNAL })
    void everythingElseIsNot(String code) {
        assertEquals(false, Retries.retryable(RunError.of(code, "x")));
    }

    @Test
    void anHttpErrorWithoutAStatusIsNotRetried() {
        assertEquals(false, Retries.retryable(new RunError(Codes.INTEGRATION_HTTP_ERROR, "x", null, null)));
    }

    static Stream<Arguments> policies() {
        List<Arguments> cases = new ArrayList<>();
        for (int max = 1; max <= 5; max++) {
            for (long backoff : new long[] { 10, 250 }) {
                cases.add(Arguments.of(max, backoff));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} attempts, back-off {1} ms")
    @MethodSource("policies")
    void aStepIsCalledAtMostItsPolicysAttemptsThenFails(int max, long backoff) {
        RunFixture f = new RunFixture();
        f.begin(plan(step("A", withRetry(max, backoff), json("{}"))));
        RunError timeout = RunError.of(Codes.INTEGRATION_TIMEOUT, "the integration did not answer within 1000 ms");
        for (int attempt = 1; attempt < max; attempt++) {
            f.fail("A", timeout);
            assertEquals(StepStatus.RUNNING, f.status("A"));
            assertEquals(attempt + 1, f.run.plan().step("A").attempts());
            Launch again = f.last.launches().get(0);
            assertEquals(Math.max(1, withRetry(max, backoff).retry().backoffBefore(attempt + 1)), again.delayMillis());
            RunEvent retrying = f.lastEvent();
            assertEquals(RunEventType.STEP_RETRYING, retrying.type());
            assertTrue(
                    retrying.error().message()
                            .endsWith("; attempt " + attempt + " of " + max + " failed, the next in "
                                    + withRetry(max, backoff).retry().backoffBefore(attempt + 1) + " ms"),
                    retrying.error().message());
        }
        f.fail("A", timeout);
        assertEquals(StepStatus.FAILED, f.status("A"));
        assertEquals(RunStatus.NO_SUCCESS, f.runStatus());
        assertEquals(max - 1, f.types().stream().filter(RunEventType.STEP_RETRYING::equals).count());
    }

    @ParameterizedTest
    @ValueSource(ints = { 2, 3, 4 })
    void aRetriedStepThatSucceedsSucceedsOnce(int max) {
        RunFixture f = new RunFixture();
        f.begin(plan(step("A", withRetry(max, 10), json("{}"))));
        f.fail("A", new RunError(Codes.INTEGRATION_HTTP_ERROR, "HTTP 503", 503, null));
        f.succeed("A", "{\"ok\":true}");
        assertEquals(RunStatus.SUCCESS, f.runStatus());
        assertEquals(List.of("RUN_STARTED", "STEP_STARTED:A", "STEP_RETRYING:A", "STEP_SUCCEEDED:A", "RUN_SUCCEEDED"),
                f.trace());
    }

    @Test
    void aFailureThatCannotPassIsNotRetriedWhateverThePolicy() {
        RunFixture f = new RunFixture();
        f.begin(plan(step("A", withRetry(5, 10), json("{}"))));
        f.fail("A", new RunError(Codes.INTEGRATION_HTTP_ERROR, "HTTP 404", 404, null));
        assertEquals(StepStatus.FAILED, f.status("A"));
    }

    @Test
    void theRetryKeepsTheInputAndHttpStatus() {
        RunFixture f = new RunFixture();
        f.begin(plan(step("A", withRetry(2, 10), json("{\"k\":1}"))));
        f.fail("A", new RunError(Codes.INTEGRATION_HTTP_ERROR, "HTTP 503", 503, null));
        assertEquals(json("{\"k\":1}"), f.last.launches().get(0).input());
        assertEquals(503, f.lastEvent().error().httpStatus());
    }

    @Test
    void theAttemptCountSurvivesARestart() {
        RunFixture f = new RunFixture();
        f.begin(plan(step("A", withRetry(3, 10), json("{}"))));
        RunError timeout = RunError.of(Codes.INTEGRATION_TIMEOUT, "t");
        f.fail("A", timeout);
        f.restart();
        assertEquals(List.of("A"), f.launched());
        f.fail("A", timeout);
        f.restart();
        f.fail("A", timeout);
        assertEquals(StepStatus.FAILED, f.status("A"));
        assertEquals(2, f.types().stream().filter(RunEventType.STEP_RETRYING::equals).count());
    }
}

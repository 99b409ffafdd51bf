package dev.runwire.executor.step;

import dev.runwire.executor.integration.StepOutcome;
import dev.runwire.executor.plan.Changes;
import dev.runwire.executor.plan.Launch;
import dev.runwire.executor.plan.PlanState.Step;
import dev.runwire.executor.plan.RunEvents;
import dev.runwire.model.action.ActionSafety;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;

/**
 * What follows a failed call: another attempt, the step's failure, or an unknown outcome. Only a failure that may pass
 * (a timeout, a refused connection, HTTP 408, 429 or 5xx) is tried again, while the action's retry policy allows
 * another attempt, after its back-off. An action that must not be called twice (non-idempotent, its provider ignoring
 * the idempotency key) is never called again after a call that may have reached its provider: its outcome is unknown
 * (ADR 0035).
 */
public final class Retries {

    private Retries() {
    }

    /** What to do with a failed call. */
    public enum Decision {
        /** Call again, with the same idempotency key, after the back-off. */
        RETRY,
        /** The step fails with the call's error. */
        FAIL,
        /** The call may have had its effect and may not be repeated: the step waits for its caller to resolve it. */
        OUTCOME_UNKNOWN
    }

    /** Failures that may pass on their own: timeouts, refused connections, HTTP 408, 429 and 5xx. */
    public static boolean retryable(RunError error) {
        return switch (error.code()) {
        case Codes.INTEGRATION_TIMEOUT, Codes.INTEGRATION_UNREACHABLE -> true;
        case Codes.INTEGRATION_HTTP_ERROR -> error.httpStatus() != null
                && (error.httpStatus() >= 500 || error.httpStatus() == 429 || error.httpStatus() == 408);
        default -> false;
        };
    }

    /**
     * Whether the integration says it did not act on the request, so it may be sent again whatever the action does: 408
     * (it did not wait for the whole request), 429 (refused for the rate), 503 (not served).
     */
    static boolean refusedUnprocessed(RunError error) {
        return Codes.INTEGRATION_HTTP_ERROR.equals(error.code()) && error.httpStatus() != null
                && (error.httpStatus() == 408 || error.httpStatus() == 429 || error.httpStatus() == 503);
    }

    /**
     * Decides about a failed call ({@code outcome} is a failure) of an action with this declaration, after {@code made}
     * of {@code max} attempts.
     */
    public static Decision decide(ActionSafety safety, StepOutcome outcome, int made, int max) {
        RunError error = outcome.error();
        if (!safety.repeatable()) {
            boolean noAnswer = Codes.INTEGRATION_TIMEOUT.equals(error.code())
                    || Codes.INTEGRATION_UNREACHABLE.equals(error.code());
            if (noAnswer && outcome.requestSent()) {
                return Decision.OUTCOME_UNKNOWN;
            }
            // an answered failure other than "not processed" (a 500 after a partial effect) is the outcome: no repeat
            if (Codes.INTEGRATION_HTTP_ERROR.equals(error.code()) && !refusedUnprocessed(error)) {
                return Decision.FAIL;
            }
        }
        return retryable(error) && made < max ? Decision.RETRY : Decision.FAIL;
    }

    /**
     * Schedules another attempt: the step stays running with its attempt counted (stored with the retry event, so a
     * restart or another executor goes on with the next attempt, not the first), and its call starts again after the
     * back-off.
     */
    public static void retryLater(Changes changes, PlanStep step, RunError error) {
        Step current = changes.plan().step(step.stepId());
        int made = current.attempts();
        int max = step.action().maxAttempts();
        long wait = step.action().retry().backoffBefore(made + 1);
        changes.step(step.stepId(), current.nextAttempt());
        changes.emit(RunEvents.stepRetrying(step,
                new RunError(error.code(),
                        error.message() + "; attempt " + made + " of " + max + " failed, the next in " + wait + " ms",
                        error.httpStatus(), null)));
        changes.launch(new Launch(step, changes.plan().step(step.stepId()).input(), Math.max(1, wait)));
    }
}

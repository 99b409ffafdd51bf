package dev.runwire.executor.step;

import dev.runwire.executor.plan.Changes;
import dev.runwire.executor.plan.Launch;
import dev.runwire.executor.plan.PlanState.Step;
import dev.runwire.executor.plan.RunEvents;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;

/**
 * Whether a failed call is made again: only a failure that may pass (a timeout, a refused connection, HTTP 408, 429 or
 * 5xx), only while the action's retry policy allows another attempt, after its back-off.
 */
public final class Retries {

    private Retries() {
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
     * Schedules another attempt if the failure may pass and the policy allows one more: the step stays running with its
     * attempt counted (stored with the retry event, so a restart or another executor goes on with the next attempt, not
     * the first), and its call starts again after the back-off.
     *
     * @return false when the step is not tried again (it fails)
     */
    public static boolean retryLater(Changes changes, PlanStep step, RunError error) {
        Step current = changes.plan().step(step.stepId());
        int made = current.attempts();
        int max = step.action().maxAttempts();
        if (!retryable(error) || made >= max) {
            return false;
        }
        long wait = step.action().retry().backoffBefore(made + 1);
        changes.step(step.stepId(), current.nextAttempt());
        changes.emit(RunEvents.stepRetrying(step,
                new RunError(error.code(),
                        error.message() + "; attempt " + made + " of " + max + " failed, the next in " + wait + " ms",
                        error.httpStatus(), null)));
        changes.launch(new Launch(step, changes.plan().step(step.stepId()).input(), Math.max(1, wait)));
        return true;
    }
}

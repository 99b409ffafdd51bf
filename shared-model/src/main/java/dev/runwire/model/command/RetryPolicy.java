package dev.runwire.model.command;

/**
 * How often a step's integration call is tried when it fails in a way that may pass on its own: a timeout, a refused
 * connection, HTTP 408, 429 or 5xx. Every attempt carries the step's one idempotency key. Waits double from
 * {@code backoffMs}.
 *
 * @param maxAttempts
 *            attempts in all, 1 (no retry) to 10
 * @param backoffMs
 *            wait before the second attempt, 0 to 60000
 */
public record RetryPolicy(int maxAttempts, long backoffMs) {

    public static final int MAX_ATTEMPTS = 10;
    public static final long MAX_BACKOFF_MS = 60_000;

    /** The wait before attempt {@code next} (2 or more). */
    public long backoffBefore(int next) {
        return Math.min(MAX_BACKOFF_MS, backoffMs << Math.min(20, next - 2));
    }
}

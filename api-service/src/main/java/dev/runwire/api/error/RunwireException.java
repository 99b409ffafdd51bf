package dev.runwire.api.error;

import java.util.List;

/**
 * A failure the client should hear about, in no surface's terms: what kind of failure it is (the subclass) and the
 * {@link Problem}s. Stores, services and resources throw these and never name an HTTP status; {@link ErrorTable} is the
 * one table from kind to status, and the request's {@link Surface} renders it in that surface's envelope.
 */
public abstract sealed class RunwireException extends RuntimeException {

    private final List<Problem> problems;

    RunwireException(List<Problem> problems) {
        // a failure answered to a client, not a fault: no stack trace to fill in
        super(problems.isEmpty() || problems.get(0).detail() == null ? "" : problems.get(0).detail(), null, false,
                false);
        this.problems = List.copyOf(problems);
    }

    RunwireException(Problem problem) {
        this(List.of(problem));
    }

    /** What is wrong, at least one. */
    public List<Problem> problems() {
        return problems;
    }

    /** The request is not well-formed: a parameter, a header or the body's shape ({@code bad_request}). */
    public static final class Malformed extends RunwireException {

        public Malformed(List<Problem> problems) {
            super(problems);
        }

        public Malformed(Problem problem) {
            super(problem);
        }

        /** One {@code bad_request}. */
        public Malformed(String detail, ErrorObject.Source source) {
            super(new Problem("bad_request", detail, source, null));
        }
    }

    /** No valid credentials were presented. */
    public static final class Unauthenticated extends RunwireException {

        public Unauthenticated(String detail) {
            super(Problem.of("unauthorized", detail));
        }
    }

    /** The owner has no task left. */
    public static final class PaymentRequired extends RunwireException {

        public PaymentRequired() {
            super(Problem.of("payment_required", "Insufficient tasks on account"));
        }
    }

    /** No such thing, or not the caller's. */
    public static final class NotFound extends RunwireException {

        public NotFound(Problem problem) {
            super(problem);
        }

        /** One {@code not_found}. */
        public NotFound(String detail) {
            super(Problem.of("not_found", detail));
        }
    }

    /** The request is understood but clashes with the state of things (a key taken, a step not waiting). */
    public static final class Conflict extends RunwireException {

        public Conflict(List<Problem> problems) {
            super(problems);
        }

        public Conflict(Problem problem) {
            super(problem);
        }

        public Conflict(String code, String detail, ErrorObject.Source source) {
            super(new Problem(code, detail, source, null));
        }
    }

    /** The request is well-formed but its content is not acceptable, e.g. one problem per schema violation. */
    public static final class Invalid extends RunwireException {

        public Invalid(List<Problem> problems) {
            super(problems);
        }

        public Invalid(Problem problem) {
            super(problem);
        }

        /** One problem at a JSON pointer (none when null). */
        public Invalid(String code, String detail, String pointer) {
            super(Problem.at(code, detail, pointer));
        }
    }

    /** The caller's rate limit is spent: the window's figures, for the answer's headers. */
    public static final class RateLimited extends RunwireException {

        private final int limit;
        private final int remaining;
        private final long resetAt;
        private final long retryAfter;

        /**
         * @param limit
         *            requests allowed per window
         * @param remaining
         *            requests left in this window
         * @param resetAt
         *            when the window ends (epoch seconds)
         * @param retryAfter
         *            seconds until a request may be admitted
         */
        public RateLimited(int limit, int remaining, long resetAt, long retryAfter) {
            super(Problem.of("too_many_requests", "Rate limit exceeded. Too many requests."));
            this.limit = limit;
            this.remaining = remaining;
            this.resetAt = resetAt;
            this.retryAfter = retryAfter;
        }

        public int limit() {
            return limit;
        }

        public int remaining() {
            return remaining;
        }

        public long resetAt() {
            return resetAt;
        }

        public long retryAfter() {
            return retryAfter;
        }
    }

    /** Runwire cannot take the request now (the broker or the database away): nothing was written; retry later. */
    public static final class Unavailable extends RunwireException {

        /** How long a client is asked to wait after an outage. */
        public static final long RETRY_AFTER_SECONDS = 5;

        private final long retryAfter;

        public Unavailable() {
            this(RETRY_AFTER_SECONDS);
        }

        public Unavailable(long retryAfterSeconds) {
            // Zapier's Actions API documents the code as spelled here
            super(Problem.of("service_unavaiable", "Service is temporarily unavailable"));
            this.retryAfter = retryAfterSeconds;
        }

        public long retryAfter() {
            return retryAfter;
        }
    }

    /** A service Runwire needed for this request (a language model, a token endpoint) failed or did not answer. */
    public static final class UpstreamFailed extends RunwireException {

        public UpstreamFailed(Problem problem) {
            super(problem);
        }

        public UpstreamFailed(String code, String detail) {
            super(Problem.of(code, detail));
        }
    }

    /** Runwire's own fault: logged where it happened, answered without details. */
    public static final class Internal extends RunwireException {

        public Internal(String detail) {
            super(Problem.of("internal_error", detail));
        }
    }
}

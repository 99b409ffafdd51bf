package dev.runwire.model.run;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Why a step or a run failed, in words a client can show.
 *
 * @param code
 *            stable machine-readable reason, see {@link Codes}
 * @param message
 *            human-readable explanation; never contains a credential
 * @param httpStatus
 *            the integration's HTTP status, when it answered
 * @param violations
 *            output-schema violations, when that is the reason
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunError(String code, String message, Integer httpStatus, List<Violation> violations) {

    /** One schema violation, with an RFC 6901 pointer into the validated document. */
    public record Violation(String pointer, String message) {
    }

    public static RunError of(String code, String message) {
        return new RunError(code, message, null, null);
    }

    /** The reasons a run can fail. */
    public static final class Codes {
        public static final String INTEGRATION_HTTP_ERROR = "integration_http_error";
        public static final String INTEGRATION_TIMEOUT = "integration_timeout";
        public static final String INTEGRATION_UNREACHABLE = "integration_unreachable";
        public static final String INVALID_OUTPUT = "invalid_output";
        public static final String OUTPUT_SCHEMA_VIOLATION = "output_schema_violation";
        public static final String MAPPING_ERROR = "mapping_error";
        public static final String INTERNAL = "internal_error";
        public static final String INPUT_INVALID = "input_invalid";
        public static final String REFERENCE_UNRESOLVED = "reference_unresolved";
        public static final String RESULT_SCHEMA_VIOLATION = "result_schema_violation";
        public static final String DEPENDENCY_NOT_MET = "dependency_not_met";
        public static final String CANCELED = "canceled";
        public static final String APPROVAL_DENIED = "approval_denied";
        /** A step waits for its user to connect an account to its integration. */
        public static final String AUTH_REQUIRED = "auth_required";
        public static final String CREDENTIALS_INVALID = "credentials_invalid";
        public static final String CREDENTIALS_EXPIRED = "credentials_expired";
        public static final String PASS_THROUGH_UNUSABLE = "pass_through_unusable";
        public static final String PASS_THROUGH_UNREADABLE = "pass_through_unreadable";
        public static final String AUTH_REQUIRED_TIMEOUT = "auth_required_timeout";
        public static final String EGRESS_REFUSED = "egress_refused";
        public static final String RESULT_TOO_LARGE = "result_too_large";
        /** An event of the run would be larger than one broker message may be. */
        public static final String EVENT_TOO_LARGE = "event_too_large";
        /** The run's data nests deeper than the executor can follow. */
        public static final String TOO_COMPLEX = "run_too_complex";
        /** The run's data holds what PostgreSQL cannot store (a NUL character). */
        public static final String UNSTORABLE_DATA = "unstorable_data";
        /**
         * A call that may have reached the provider got no answer, and the action may not be called twice: the step
         * waits for its caller to resolve it; a wait that expires fails with this code (ADR 0035).
         */
        public static final String OUTCOME_UNKNOWN = "outcome_unknown";
        /** The caller resolved an unknown outcome as failed: the call had no effect. */
        public static final String RESOLVED_FAILED = "resolved_failed";
        /** The HTTP client refused the request made for the call (a header name or value it cannot send). */
        public static final String REQUEST_REFUSED = "request_refused";

        private Codes() {
        }
    }
}

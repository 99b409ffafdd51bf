package dev.runwire.api.error;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Composio's execute surface, for a request that ran nothing: {@code {data: null, successful: false, successfull:
 * false, error, logId: null}}, the error the details with their pointers and facts (a run that ran and failed is a 200,
 * ADR 0021).
 */
final class ComposioRenderer implements ErrorRenderer {

    /** Composio's response envelope for a request that ran nothing. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Failure(Object data, boolean successful, boolean successfull, String error, String logId) {
    }

    @Override
    public Rendered render(int status, List<ErrorObject> errors) {
        return new Rendered(status, new Failure(null, false, false,
                status == 500 ? "Internal server error." : Messages.of(errors, true), null));
    }
}

package dev.runwire.api.error;

import java.util.List;

/**
 * How one surface says a failure: the status it answers and the body in its envelope. Renderers get JSON:API error
 * objects (what {@link ErrorTable} makes of a {@link RunwireException}, or what the HTTP layer chose) and may say a
 * status their own way; they never add a class name or a stack trace.
 */
interface ErrorRenderer {

    /** The answer: the status on the wire and the body. */
    record Rendered(int status, Object body) {
    }

    /** The answer to a failure of this status with these error objects (at least one). */
    Rendered render(int status, List<ErrorObject> errors);
}

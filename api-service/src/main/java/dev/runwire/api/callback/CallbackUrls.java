package dev.runwire.api.callback;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.runwire.api.error.ErrorObject;
import dev.runwire.model.egress.EgressPolicy;

/**
 * Checks a callback URL when it is given: scheme, length, and an address literal in any notation. Host names are
 * checked again, resolved, right before each attempt connects.
 */
@ApplicationScoped
public class CallbackUrls {

    private final EgressPolicy egress;

    CallbackUrls(EgressPolicy egress) {
        this.egress = egress;
    }

    /** Adds a 422 for a refused URL at {@code pointer}; null is no callback. */
    public void check(String url, String pointer, List<ErrorObject> errors) {
        ErrorObject problem = problem(url, pointer, 422);
        if (problem != null) {
            errors.add(problem);
        }
    }

    /** The error for a refused URL with the given status, or null when it is acceptable (or absent). */
    public ErrorObject problem(String url, String pointer, int status) {
        if (url == null) {
            return null;
        }
        try {
            egress.checkUrl(url);
            return null;
        } catch (EgressPolicy.RefusedException e) {
            return new ErrorObject(status, "callback_url_refused",
                    status == 422 ? "Unprocessable Entity" : "Bad Request",
                    "the callback URL is refused: " + e.getMessage(), ErrorObject.Source.pointer(pointer), null);
        }
    }

}

package dev.runwire.api.callback;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.runwire.api.error.Problem;
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

    /** Adds the problem of a refused URL at {@code pointer}; null is no callback. */
    public void check(String url, String pointer, List<Problem> errors) {
        Problem problem = problem(url, pointer);
        if (problem != null) {
            errors.add(problem);
        }
    }

    /** The problem of a refused URL, or null when it is acceptable (or absent). */
    public Problem problem(String url, String pointer) {
        if (url == null) {
            return null;
        }
        try {
            egress.checkUrl(url);
            return null;
        } catch (EgressPolicy.RefusedException e) {
            return Problem.at("callback_url_refused", "the callback URL is refused: " + e.getMessage(), pointer);
        }
    }

}

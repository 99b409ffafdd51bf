package dev.runwire.executor.integration;

import java.util.List;

import dev.runwire.model.run.RunError;
import dev.runwire.model.schema.Violation;

/** Turns a schema check's violations into the error a step or a run fails with. */
public final class Violations {

    private Violations() {
    }

    /** The error with the code and message, and one entry per violation (its JSON pointer and message). */
    public static RunError toRunError(String code, String message, Integer httpStatus, List<Violation> violations) {
        return new RunError(code, message, httpStatus,
                violations.stream().map(v -> new RunError.Violation(v.pointer(), v.message())).toList());
    }
}

package dev.runwire.executor.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.runwire.model.run.RunError;
import dev.runwire.model.schema.Violation;

class ViolationsTest {

    @Test
    void eachViolationBecomesAnEntryOfTheError() {
        RunError error = Violations.toRunError("code", "message", 200,
                List.of(new Violation("/a", "is missing", "required"), new Violation("/b/0", "not a string", "type")));
        assertEquals(new RunError("code", "message", 200,
                List.of(new RunError.Violation("/a", "is missing"), new RunError.Violation("/b/0", "not a string"))),
                error);
    }

    @Test
    void noViolationsMakeAnEmptyList() {
        assertEquals(List.of(), Violations.toRunError("c", "m", null, List.of()).violations());
    }
}

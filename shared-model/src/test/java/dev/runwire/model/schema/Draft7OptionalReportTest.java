package dev.runwire.model.schema;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Reports how the project's validation does on the suite's {@code optional/} draft-7 cases (formats, big numbers, ECMA
 * regexes...). It never fails: these are not required by the spec.
 */
class Draft7OptionalReportTest {

    @Test
    void report() {
        SchemaCompiler compiler = new SchemaCompiler();
        List<SuiteCases.Case> cases = SuiteCases.read(SuiteCases.files(SuiteCases.draft7().resolve("optional"), true));
        long passed = cases.stream().filter(c -> SuiteCases.passes(compiler, c)).count();
        System.out.printf("draft7 optional: %d of %d cases pass%n", passed, cases.size());
    }
}

package dev.runwire.model.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.json.Json;

/** Reads the official JSON-Schema-Test-Suite's draft-7 files from {@code ../shared/conformance}. */
final class SuiteCases {

    /** One test case: a schema, an instance, and whether the instance is valid. */
    record Case(String file, String group, String description, JsonNode schema, JsonNode data, boolean valid) {

        String id() {
            return file + " | " + group + " | " + description;
        }
    }

    private SuiteCases() {
    }

    static Path draft7() {
        String shared = System.getProperty("shared.dir");
        Path base = shared != null ? Path.of(shared) : Path.of("..", "..", "shared");
        return base.resolve("conformance/json-schema-test-suite/tests/draft7").normalize();
    }

    /** Every case of the given files, in file order. */
    static List<Case> read(Stream<Path> files) {
        List<Case> cases = new ArrayList<>();
        files.sorted().forEach(file -> {
            try {
                String name = draft7().relativize(file).toString();
                for (JsonNode group : Json.mapper().readTree(file.toFile())) {
                    for (JsonNode test : group.get("tests")) {
                        cases.add(new Case(name, group.get("description").asText(), test.get("description").asText(),
                                group.get("schema"), test.get("data"), test.get("valid").asBoolean()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return cases;
    }

    /** Whether the project's validation agrees with the suite on a case. */
    static boolean passes(SchemaCompiler compiler, Case c) {
        try {
            return compiler.compile(c.schema()).isValid(c.data()) == c.valid();
        } catch (RuntimeException e) {
            return false; // a schema refused or a validator crash counts as a failed case
        }
    }

    static Stream<Path> files(Path dir, boolean recursive) {
        try {
            return (recursive ? Files.walk(dir) : Files.list(dir)).filter(p -> p.toString().endsWith(".json")).toList()
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.runwire.model.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.json.Json;

class SchemaCompilerTest {

    private final SchemaCompiler compiler = new SchemaCompiler();

    @Test
    void validatesAndPointsAtEveryViolation() throws Exception {
        CompiledSchema schema = compiler.compile("""
                {"type":"object","required":["id"],"properties":{
                  "id":{"type":"string"},
                  "tags":{"type":"array","items":{"type":"object","properties":{"n":{"type":"integer"}}}},
                  "a/b":{"type":"number"}}}""");
        assertTrue(schema.isValid(json("{\"id\":\"x\",\"tags\":[{\"n\":1}]}")));
        List<Violation> violations = schema.validate(json("{\"tags\":[{\"n\":1},{\"n\":\"two\"}],\"a/b\":\"x\"}"));
        assertEquals(List.of("", "/a~1b", "/tags/1/n"), violations.stream().map(Violation::pointer).sorted().toList());
    }

    @Test
    void refusesRemoteReferencesWithoutConnecting() {
        for (String url : List.of("http://127.0.0.1:9/x.json", "http://example.invalid/x.json")) {
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThrows(RemoteRefRefusedException.class,
                    () -> compiler.compile("{\"$ref\":\"" + url + "\"}")));
        }
    }

    @Test
    void rejectsSchemasThatAreNotDraft7() {
        assertThrows(InvalidSchemaException.class, () -> compiler.compile("{\"type\": 12}"));
        assertThrows(InvalidSchemaException.class, () -> compiler.compile("{\"minimum\": \"x\"}"));
        assertThrows(InvalidSchemaException.class, () -> compiler.compile("[1]"));
        assertThrows(InvalidSchemaException.class, () -> compiler.compile("{not json"));
    }

    @Test
    void resolvesTheMetaSchemaAndLocalIdsWithoutTheNetwork() throws Exception {
        CompiledSchema meta = compiler.compile("{\"$ref\":\"http://json-schema.org/draft-07/schema#\"}");
        assertTrue(meta.isValid(json("{\"type\":\"string\"}")));
        assertTrue(!meta.isValid(json("{\"type\":12}")));
        CompiledSchema local = compiler.compile("""
                {"$id":"http://example.invalid/root.json","definitions":{"a":{"$id":"item.json","type":"integer"}},
                 "items":{"$ref":"item.json"}}""");
        assertTrue(local.isValid(json("[1,2]")));
        assertTrue(!local.isValid(json("[\"x\"]")));
    }

    @Test
    void acceptsEverydaySchemas() {
        compiler.compile("{\"type\":\"object\"}");
        compiler.compile("true");
        compiler.compile(
                "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\",\"minLength\":1}},\"required\":[\"id\"]}");
    }

    private static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }
}

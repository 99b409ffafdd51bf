package dev.runwire.model.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.runwire.model.json.Json;

/**
 * Schemas and values built to make validation slow, endless or deep: each is refused or answered well within
 * {@link #FAST}, never by hanging or by an Error.
 */
class HostileSchemaTest {

    private static final Duration FAST = Duration.ofSeconds(2);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SchemaCompiler compiler = new SchemaCompiler();

    @Test
    void backreferencesAndLookaroundAreRefusedWhereTheyAre() {
        InvalidSchemaException e = refused("{\"type\":\"string\",\"pattern\":\"^((a+)+)\\\\1$\"}");
        assertEquals("unsupported_pattern", e.code());
        assertEquals("/pattern", e.schemaPointer());
        assertTrue(e.getMessage().contains("RE2"), e.getMessage());

        e = refused("{\"properties\":{\"a\":{\"patternProperties\":{\"^(?=x)\":{}}}}}");
        assertEquals("unsupported_pattern", e.code());
        assertEquals("/properties/a/patternProperties/^(?=x)", e.schemaPointer());

        // a schema that takes regexes as values checks them on the same engine
        CompiledSchema regexes = compiler.compile("{\"format\":\"regex\"}");
        assertTrue(regexes.isValid(json("\"^a+$\"")));
        assertFalse(regexes.isValid(json("\"(a)\\\\1\"")));
    }

    @Test
    void aBacktrackingBombRunsInLinearTime() {
        CompiledSchema schema = compiler.compile("{\"type\":\"string\",\"pattern\":\"^(a+)+$\"}");
        String text = "a".repeat(50_000) + "!";
        List<Violation> violations = fast(() -> schema.validate(NODES.textNode(text)));
        assertEquals("pattern", violations.get(0).keyword());
        assertTrue(fast(() -> schema.isValid(NODES.textNode("a".repeat(50_000)))));
    }

    @Test
    void referencesThatNeverDescendAreRefused() {
        for (String schema : List.of("{\"$ref\":\"#\"}", "{\"allOf\":[{\"$ref\":\"#\"}]}",
                "{\"not\":{\"anyOf\":[true,{\"$ref\":\"#\"}]}}",
                "{\"definitions\":{\"a\":{\"$ref\":\"#/definitions/b\"},\"b\":{\"oneOf\":[{\"$ref\":\"#/definitions/a\"}]}},"
                        + "\"$ref\":\"#/definitions/a\"}",
                "{\"definitions\":{\"a\":{\"$ref\":\"#/definitions/b\"},\"b\":{\"if\":{\"$ref\":\"#/definitions/a\"}}},"
                        + "\"properties\":{\"x\":{\"$ref\":\"#/definitions/a\"}}}",
                "{\"$id\":\"http://example.invalid/s.json\",\"definitions\":{\"a\":{\"$id\":\"a.json\",\"allOf\":[{\"$ref\":\"s.json\"}]}},"
                        + "\"allOf\":[{\"$ref\":\"a.json\"}]}",
                "{\"dependencies\":{\"x\":{\"$ref\":\"#\"}}}")) {
            InvalidSchemaException e = refused(schema);
            assertEquals("schema_too_complex", e.code(), schema);
            assertTrue(e.getMessage().contains("refers to itself"), e.getMessage());
        }
    }

    @Test
    void aLegitimateRecursiveTreeStillValidates() {
        CompiledSchema tree = compiler.compile("""
                {"type":"object","required":["name"],"properties":{
                  "name":{"type":"string"},
                  "children":{"type":"array","items":{"$ref":"#"}}}}""");
        assertTrue(
                tree.isValid(json("{\"name\":\"a\",\"children\":[{\"name\":\"b\",\"children\":[{\"name\":\"c\"}]}]}")));
        List<Violation> violations = tree
                .validate(json("{\"name\":\"a\",\"children\":[{\"name\":\"b\",\"children\":[{}]}]}"));
        assertEquals("/children/0/children/0", violations.get(0).pointer());

        // a deep but allowed value through the recursion
        ObjectNode deep = NODES.objectNode().put("name", "leaf");
        for (int i = 0; i < 50; i++) {
            ObjectNode parent = NODES.objectNode().put("name", "n" + i);
            parent.putArray("children").add(deep);
            deep = parent;
        }
        ObjectNode value = deep;
        assertTrue(fast(() -> tree.isValid(value)));

        CompiledSchema linked = compiler.compile("""
                {"definitions":{"node":{"type":"object","properties":{"next":{"$ref":"#/definitions/node"}}}},
                 "$ref":"#/definitions/node"}""");
        assertTrue(linked.isValid(json("{\"next\":{\"next\":{}}}")));
        assertFalse(linked.isValid(json("{\"next\":{\"next\":3}}")));
    }

    @Test
    void anAnyOfChainThroughReferencesIsRefused() {
        for (int depth : new int[] { 16, 30 }) {
            InvalidSchemaException e = fast(() -> refused(anyOfChain(depth)));
            assertEquals("schema_too_complex", e.code());
            assertTrue(e.getMessage().contains("expands"), e.getMessage());
        }
        // a short chain is fine and validates fast
        CompiledSchema shortChain = compiler.compile(anyOfChain(6));
        assertFalse(fast(() -> shortChain.isValid(json("{\"x\":1}"))));
        assertTrue(fast(() -> shortChain.isValid(json("\"x\""))));
    }

    @Test
    void deeplyNestedSchemasAreRefusedBeforeLoading() {
        for (String keyword : List.of("anyOf", "allOf")) {
            for (int levels : new int[] { 40, 400, 5_000 }) {
                String schema = (("{\"" + keyword + "\":[").repeat(levels)) + "{\"type\":\"string\"}"
                        + "]}".repeat(levels);
                InvalidSchemaException e = fast(() -> refused(schema));
                assertEquals("schema_too_complex", e.code());
            }
        }
    }

    @Test
    void wideSchemasAreRefusedFast() {
        ObjectNode properties = NODES.objectNode();
        for (int i = 0; i < 8_000; i++) {
            properties.putObject("p" + i).put("type", "string");
        }
        ObjectNode schema = NODES.objectNode();
        schema.set("properties", properties);
        InvalidSchemaException e = fast(() -> refused(schema));
        assertEquals("schema_too_complex", e.code());

        ArrayNode values = NODES.arrayNode();
        for (int i = 0; i < 1_001; i++) {
            values.add(i);
        }
        ObjectNode enumSchema = NODES.objectNode();
        enumSchema.set("enum", values);
        assertEquals("/enum", fast(() -> refused(enumSchema)).schemaPointer());

        // many properties below the bound compile within the budget
        ObjectNode allowed = NODES.objectNode();
        ObjectNode some = allowed.putObject("properties");
        for (int i = 0; i < 500; i++) {
            some.putObject("p" + i).put("type", "string");
        }
        assertTrue(fast(() -> compiler.compile(allowed)).isValid(json("{\"p1\":\"x\"}")));
    }

    @Test
    void uniqueItemsOnAHugeArrayIsBoundedByTheBudget() {
        CompiledSchema schema = compiler.compile("{\"type\":\"array\",\"uniqueItems\":true}");
        ArrayNode items = NODES.arrayNode();
        for (int i = 0; i < 100_000; i++) {
            items.add("item-" + i);
        }
        SchemaTooCostlyException e = fast(() -> assertThrows(SchemaTooCostlyException.class,
                () -> schema.validate(items, Duration.ofMillis(500))));
        assertEquals("schema_too_costly", e.code());
        assertTrue(schema.isValid(json("[1,2,3]")));
        assertFalse(schema.isValid(json("[1,2,1]")));
    }

    @Test
    void aDeepValueIsRefusedWithoutOverflowingTheStack() {
        CompiledSchema schema = compiler
                .compile("{\"properties\":{\"a\":{\"$ref\":\"#\"}},\"items\":{\"$ref\":\"#\"}}");
        ObjectNode deep = NODES.objectNode();
        ObjectNode current = deep;
        for (int i = 0; i < 5_000; i++) {
            current = current.putObject("a");
        }
        SchemaTooCostlyException e = fast(
                () -> assertThrows(SchemaTooCostlyException.class, () -> schema.validate(deep)));
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
    }

    @Test
    void aLargeValueAgainstAWideSchemaStopsAtTheBudget() {
        CompiledSchema schema = compiler.compile(anyOfChain(10));
        ArrayNode big = NODES.arrayNode();
        for (int i = 0; i < 20_000; i++) {
            big.addObject().put("k", i);
        }
        ObjectNode value = NODES.objectNode();
        value.set("list", big);
        CompiledSchema wide = compiler.compile(anyOfChain(10).replace("\"$ref\":\"#/definitions/d0\"}",
                "\"properties\":{\"list\":{\"items\":{\"$ref\":\"#/definitions/d0\"}}}}"));
        assertThrows(SchemaTooCostlyException.class, () -> fast(() -> wide.validate(value, Duration.ofMillis(300))));
        assertFalse(schema.isValid(json("{}")));
    }

    @Test
    void aStackOverflowBecomesARefusalNotAnError() throws Exception {
        CompiledSchema schema = compiler.compile("{\"properties\":{\"a\":{\"$ref\":\"#\"}}}");
        ObjectNode deep = NODES.objectNode();
        ObjectNode current = deep;
        for (int i = 0; i < SchemaLimits.MAX_INSTANCE_DEPTH - 1; i++) {
            current = current.putObject("a");
        }
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        // a thread with a small stack stands for a caller already deep in its own frames
        Thread small = new Thread(null, () -> {
            try {
                schema.validate(deep);
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "small-stack", 128 * 1024);
        small.start();
        small.join(FAST.toMillis());
        assertTrue(thrown.get() instanceof SchemaTooCostlyException, String.valueOf(thrown.get()));
    }

    /** {@code d0 -> anyOf[d1, d1] -> ...}: each level doubles the subschemas a validation visits. */
    private static String anyOfChain(int depth) {
        StringBuilder definitions = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) {
                definitions.append(',');
            }
            String next = "{\"$ref\":\"#/definitions/d" + (i + 1) + "\"}";
            definitions.append("\"d").append(i).append("\":{\"anyOf\":[").append(next).append(',').append(next)
                    .append(",{\"type\":\"object\",\"required\":[\"z").append(i).append("\"]}]}");
        }
        definitions.append(",\"d").append(depth).append("\":{\"type\":\"string\"}");
        return "{\"definitions\":{" + definitions + "},\"$ref\":\"#/definitions/d0\"}";
    }

    private InvalidSchemaException refused(String schema) {
        return assertThrows(InvalidSchemaException.class, () -> compiler.compile(schema));
    }

    private InvalidSchemaException refused(JsonNode schema) {
        return assertThrows(InvalidSchemaException.class, () -> compiler.compile(schema));
    }

    private static <T> T fast(ThrowingSupplier<T> action) {
        return assertTimeoutPreemptively(FAST, action);
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}

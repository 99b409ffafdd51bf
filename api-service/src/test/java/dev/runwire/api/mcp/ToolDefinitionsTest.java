package dev.runwire.api.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.runwire.api.error.RunwireException;
import dev.runwire.api.mcp.ToolDefinitions.Format;
import dev.runwire.model.json.Json;

class ToolDefinitionsTest {

    static void converts(String input, String expected) {
        assertEquals(Json.tree(expected), ToolDefinitions.parameters(input == null ? null : Json.tree(input)), input);
    }

    @Test
    void anObjectSchemaIsKeptWithoutItsDocumentKeywords() {
        converts(
                "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"$id\":\"x\",\"type\":\"object\","
                        + "\"properties\":{\"a\":{\"type\":\"string\",\"$id\":\"inner\"}},\"required\":[\"a\"]}",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"$id\":\"inner\"}},"
                        + "\"required\":[\"a\"]}");
        converts("{\"properties\":{\"a\":{}}}", "{\"type\":\"object\",\"properties\":{\"a\":{}}}");
    }

    @Test
    void noSchemaIsAnEmptyObjectSchema() {
        converts(null, "{\"type\":\"object\",\"properties\":{}}");
        converts("true", "{\"type\":\"object\",\"properties\":{}}");
    }

    @Test
    void otherSchemasAreWrappedAsInputWithTheirDefinitionsAtTheRoot() {
        converts("{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}", "{\"type\":\"object\",\"properties\":"
                + "{\"input\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}},\"required\":[\"input\"]}");
        converts(
                "{\"$schema\":\"s\",\"oneOf\":[{\"$ref\":\"#/definitions/a\"}],\"definitions\":{\"a\":{\"type\":\"object\"}}}",
                "{\"type\":\"object\",\"definitions\":{\"a\":{\"type\":\"object\"}},\"properties\":{\"input\":"
                        + "{\"oneOf\":[{\"$ref\":\"#/definitions/a\"}]}},\"required\":[\"input\"]}");
        converts("{\"type\":\"object\",\"anyOf\":[{\"required\":[\"a\"]},{\"required\":[\"b\"]}]}",
                "{\"type\":\"object\",\"properties\":{\"input\":{\"type\":\"object\",\"anyOf\":[{\"required\":"
                        + "[\"a\"]},{\"required\":[\"b\"]}]}},\"required\":[\"input\"]}");
    }

    @Test
    void formatsAreNamedCaseInsensitivelyAndDefaultToOpenai() {
        assertEquals(Format.OPENAI, Format.of(null));
        assertEquals(Format.ANTHROPIC, Format.of("Anthropic"));
        assertEquals(Format.MCP, Format.of("mcp"));
        RunwireException e = assertThrows(RunwireException.Malformed.class, () -> Format.of("gemini"));
        assertEquals("format", e.problems().get(0).source().parameter());
    }
}

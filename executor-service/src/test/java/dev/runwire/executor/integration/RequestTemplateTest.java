package dev.runwire.executor.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.json.Json;

class RequestTemplateTest {

    private final JsonNode input = json(
            "{\"city\":\"São Paulo/SP\",\"n\":3,\"address\":{\"zip\":\"01000\"},\"tags\":[\"a\"]}");

    @Test
    void pathPlaceholdersAreEncodedAndRequired() {
        assertEquals("/weather/S%C3%A3o%20Paulo%2FSP/3", RequestTemplate.path("/weather/{city}/{n}", input));
        assertEquals("/zip/01000", RequestTemplate.path("/zip/{address/zip}", input));
        assertThrows(RequestTemplate.MissingValueException.class, () -> RequestTemplate.path("/x/{missing}", input));
    }

    @Test
    void headerAndQueryValuesAreLeftOutWhenTheInputLacksThem() {
        assertEquals("Bearer 3", RequestTemplate.optionalValue("Bearer {n}", input));
        assertNull(RequestTemplate.optionalValue("{missing}", input));
        assertEquals("literal", RequestTemplate.optionalValue("literal", input));
    }

    @Test
    void bodyMappingKeepsJsonTypesAndAbsentMappingSendsTheWholeInput() {
        assertEquals(json("{\"count\":3,\"zip\":\"01000\",\"tags\":[\"a\"]}"), RequestTemplate
                .body(Map.of("count", "/n", "zip", "/address/zip", "tags", "/tags", "gone", "/nope"), input));
        assertEquals(input, RequestTemplate.body(null, input));
    }

    @Test
    void outputMappingPicksFromTheResponse() {
        JsonNode response = json("{\"main\":{\"temp\":21.5},\"name\":\"Lisbon\"}");
        assertEquals(json("{\"temperature\":21.5,\"city\":\"Lisbon\"}"),
                RequestTemplate.output(Map.of("temperature", "/main/temp", "city", "/name"), response));
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}

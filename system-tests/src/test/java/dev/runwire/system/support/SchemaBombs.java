package dev.runwire.system.support;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.runwire.model.json.Json;

/**
 * JSON Schemas that cost a naive validator unbounded time or stack: each must be refused where a schema is taken (422),
 * or the service must stay bounded in time whatever it does with it.
 */
public final class SchemaBombs {

    private SchemaBombs() {
    }

    public static Map<String, JsonNode> all() {
        Map<String, JsonNode> bombs = new LinkedHashMap<>();
        bombs.put("ref_to_root", Json.tree("{\"$ref\":\"#\"}"));
        bombs.put("allOf_400_deep", nested("allOf", 400));
        bombs.put("anyOf_450_deep", nested("anyOf", 450));
        bombs.put("anyOf_ref_chain_20", refChain(20));
        bombs.put("backreference_pattern", Json.tree("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
                + "\"string\",\"pattern\":\"^((a+)+)\\\\1$\"}}}"));
        return bombs;
    }

    /** {@code {"<keyword>":[{"<keyword>":[ ... {} ]}]}}, {@code depth} levels. */
    public static JsonNode nested(String keyword, int depth) {
        ObjectNode inner = Json.mapper().createObjectNode().put("type", "object");
        for (int i = 0; i < depth; i++) {
            ObjectNode outer = Json.mapper().createObjectNode();
            outer.putArray(keyword).add(inner);
            inner = outer;
        }
        return inner;
    }

    /**
     * An object whose {@code id} goes through {@code depth} definitions, each an {@code anyOf} of two references to the
     * next: 2^depth paths for a validator that tries them all.
     */
    public static JsonNode refChain(int depth) {
        ObjectNode root = Json.mapper().createObjectNode().put("type", "object");
        ObjectNode definitions = root.putObject("definitions");
        for (int i = 0; i < depth; i++) {
            ObjectNode step = definitions.putObject("d" + i);
            step.putArray("anyOf").add(Json.mapper().createObjectNode().put("$ref", "#/definitions/d" + (i + 1)))
                    .add(Json.mapper().createObjectNode().put("$ref", "#/definitions/d" + (i + 1)));
        }
        definitions.putObject("d" + depth).put("type", "string").put("minLength", 1);
        root.putObject("properties").putObject("id").put("$ref", "#/definitions/d0");
        return root;
    }
}

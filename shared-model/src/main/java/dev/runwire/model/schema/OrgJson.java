package dev.runwire.model.schema;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.Map;

import org.json.JSONArray;
import org.json.JSONObject;

import com.fasterxml.jackson.databind.JsonNode;

/** Converts Jackson trees to the org.json values everit validates, keeping numbers exact. */
final class OrgJson {

    private OrgJson() {
    }

    static Object from(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return JSONObject.NULL;
        }
        if (node.isObject()) {
            JSONObject object = new JSONObject();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                object.put(field.getKey(), from(field.getValue()));
            }
            return object;
        }
        if (node.isArray()) {
            JSONArray array = new JSONArray();
            for (JsonNode item : node) {
                array.put(from(item));
            }
            return array;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return integer(node.bigIntegerValue());
        }
        if (node.isNumber()) {
            // draft 6+ treats 1.0 as the integer 1 (for "type", "enum", "maxItems" and the rest)
            BigDecimal value = node.decimalValue();
            if (value.signum() == 0 || value.stripTrailingZeros().scale() <= 0) {
                return integer(value.toBigIntegerExact());
            }
            return value;
        }
        return node.asText();
    }

    /** everit reads keyword values such as minLength as Integer: keep the narrowest type. */
    private static Object integer(BigInteger value) {
        if (value.bitLength() < 32) {
            return value.intValue();
        }
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }
}

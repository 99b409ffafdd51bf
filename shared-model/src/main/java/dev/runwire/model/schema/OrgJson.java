package dev.runwire.model.schema;

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
            // everit reads keyword values such as minLength as Integer: keep the narrowest type
            if (node.canConvertToInt()) {
                return node.intValue();
            }
            return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        return node.asText();
    }
}

package dev.runwire.api.talkover;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.runwire.model.json.Json;

/**
 * talkover's array form of an action's input ({@code [{name, type, required, description, value}]}) and the draft-7
 * schema it stands for: two views of one definition. A field's {@code value} (a preset, as transfer numbers and hold
 * durations have) is the schema's {@code default}.
 */
final class InputFields {

    static final Set<String> TYPES = Set.of("string", "integer", "number", "boolean", "object", "array");

    /** One field of the array form. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Field(String name, String type, Boolean required, String description, JsonNode value) {
    }

    private InputFields() {
    }

    /** Problems of an array form, each with a pointer below {@code at}; empty when it is well-formed. */
    static List<String[]> problems(JsonNode fields, String at) {
        List<String[]> problems = new ArrayList<>();
        if (fields == null || !fields.isArray() || fields.size() > 100) {
            problems.add(new String[] { at, "input_schema is an array of at most 100 fields" });
            return problems;
        }
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < fields.size(); i++) {
            JsonNode field = fields.get(i);
            String pointer = at + "/" + i;
            JsonNode name = field.get("name");
            if (name == null || !name.isTextual() || name.asText().isBlank() || name.asText().length() > 100) {
                problems.add(new String[] { pointer + "/name", "each field has a name of 1-100 characters" });
            } else if (!names.add(name.asText())) {
                problems.add(new String[] { pointer + "/name", "field names are unique" });
            }
            JsonNode type = field.get("type");
            if (type == null || !TYPES.contains(type.asText())) {
                problems.add(new String[] { pointer + "/type", "type is one of " + TYPES });
            }
            JsonNode required = field.get("required");
            if (required != null && !required.isBoolean()) {
                problems.add(new String[] { pointer + "/required", "required is true or false" });
            }
        }
        return problems;
    }

    /** The draft-7 view of a (well-formed) array form. */
    static ObjectNode toJsonSchema(JsonNode fields) {
        ObjectNode schema = Json.mapper().createObjectNode();
        schema.put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = Json.mapper().createArrayNode();
        for (JsonNode field : fields) {
            ObjectNode property = properties.putObject(field.get("name").asText());
            property.put("type", field.get("type").asText());
            if (field.hasNonNull("description")) {
                property.put("description", field.get("description").asText());
            }
            if (field.has("value") && !field.get("value").isNull()) {
                property.set("default", field.get("value"));
            }
            if (field.path("required").asBoolean(false)) {
                required.add(field.get("name").asText());
            }
        }
        if (!required.isEmpty()) {
            schema.set("required", required);
        }
        return schema;
    }

    /**
     * The array form of a draft-7 object schema with simple properties, or null when the schema says more than the
     * array form can (nested constraints, patterns, ...): such a schema is refused rather than silently narrowed.
     */
    static ArrayNode fromJsonSchema(JsonNode schema) {
        if (!schema.isObject() || !"object".equals(schema.path("type").asText())) {
            return null;
        }
        Set<String> allowedTop = Set.of("type", "properties", "required", "$schema", "title", "description");
        Set<String> allowedProperty = Set.of("type", "description", "default");
        ArrayNode fields = Json.mapper().createArrayNode();
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        for (var names = schema.fieldNames(); names.hasNext();) {
            if (!allowedTop.contains(names.next())) {
                return null;
            }
        }
        for (var entries = schema.path("properties").fields(); entries.hasNext();) {
            var entry = entries.next();
            JsonNode property = entry.getValue();
            for (var names = property.fieldNames(); names.hasNext();) {
                if (!allowedProperty.contains(names.next())) {
                    return null;
                }
            }
            if (!TYPES.contains(property.path("type").asText())) {
                return null;
            }
            ObjectNode field = fields.addObject();
            field.put("name", entry.getKey());
            field.put("type", property.get("type").asText());
            field.put("required", required.contains(entry.getKey()));
            if (property.hasNonNull("description")) {
                field.put("description", property.get("description").asText());
            }
            if (property.has("default")) {
                field.set("value", property.get("default"));
            }
        }
        return fields;
    }
}

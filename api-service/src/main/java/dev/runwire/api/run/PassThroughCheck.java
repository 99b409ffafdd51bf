package dev.runwire.api.run;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.api.error.ApiException;
import dev.runwire.api.error.ErrorObject;

/**
 * Checks the shape of {@code passThrough}: an array of {@code {customerIntegrationId?, headers?, query?}} with string
 * values. Errors name where, never what (the values are secrets).
 */
final class PassThroughCheck {

    private static final Set<String> FIELDS = Set.of("customerIntegrationId", "headers", "query");
    private static final int MAX_ENTRIES = 32;

    private PassThroughCheck() {
    }

    static void check(JsonNode passThrough, List<ErrorObject> errors) {
        if (passThrough == null || passThrough.isNull()) {
            return;
        }
        if (!passThrough.isArray() || passThrough.size() > MAX_ENTRIES) {
            errors.add(ApiException.violation("invalid_pass_through",
                    "passThrough must be an array of at most " + MAX_ENTRIES + " objects", "/passThrough"));
            return;
        }
        for (int i = 0; i < passThrough.size(); i++) {
            JsonNode entry = passThrough.get(i);
            String at = "/passThrough/" + i;
            if (!entry.isObject()) {
                errors.add(ApiException.violation("invalid_pass_through", "each entry must be an object", at));
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = entry.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!FIELDS.contains(field.getKey())) {
                    errors.add(ApiException.violation("unsupported_pass_through",
                            "only customerIntegrationId, headers and query are supported", at + "/" + field.getKey()));
                }
            }
            JsonNode id = entry.get("customerIntegrationId");
            if (id != null && !id.isNull() && !id.isTextual()) {
                errors.add(ApiException.violation("invalid_pass_through", "customerIntegrationId must be a string",
                        at + "/customerIntegrationId"));
            }
            stringMap(entry.get("headers"), at + "/headers", errors);
            stringMap(entry.get("query"), at + "/query", errors);
        }
    }

    private static void stringMap(JsonNode node, String at, List<ErrorObject> errors) {
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            errors.add(ApiException.violation("invalid_pass_through", "must be an object of strings", at));
            return;
        }
        node.fields().forEachRemaining(field -> {
            if (!field.getValue().isTextual()) {
                errors.add(ApiException.violation("invalid_pass_through", "values must be strings",
                        at + "/" + field.getKey().replace("~", "~0").replace("/", "~1")));
            }
        });
    }
}

package dev.runwire.model.schema;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.json.JSONArray;
import org.json.JSONObject;

/**
 * Finds every {@code $id} declared inside a schema, resolved against its enclosing base URI, so a {@code $ref} to one
 * of them resolves locally instead of being looked up remotely.
 */
final class LocalIds {

    /** Keywords whose values are data, not schemas: an {@code $id} in them declares nothing. */
    private static final Set<String> DATA_KEYWORDS = Set.of("enum", "const", "examples", "default");

    private LocalIds() {
    }

    static Map<URI, Object> collect(JSONObject root) {
        Map<URI, Object> ids = new HashMap<>();
        walk(root, null, ids);
        return ids;
    }

    private static void walk(Object node, URI base, Map<URI, Object> ids) {
        if (node instanceof JSONObject object) {
            if (object.has("$ref")) {
                return; // draft 7: beside $ref every keyword, $id included, is ignored
            }
            URI here = base;
            Object id = object.opt("$id");
            if (id instanceof String text && !text.startsWith("#")) {
                try {
                    here = base == null ? new URI(text) : base.resolve(text);
                    if (here.isAbsolute()) {
                        ids.putIfAbsent(withoutEmptyFragment(here), object);
                    }
                } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                    // an unusable $id is left to the loader, which reports it
                }
            }
            for (String key : object.keySet()) {
                if (!DATA_KEYWORDS.contains(key)) {
                    walk(object.get(key), here, ids);
                }
            }
        } else if (node instanceof JSONArray array) {
            for (Object item : array) {
                walk(item, base, ids);
            }
        }
    }

    private static URI withoutEmptyFragment(URI uri) {
        String text = uri.toString();
        return text.endsWith("#") ? URI.create(text.substring(0, text.length() - 1)) : uri;
    }
}

package dev.runwire.model.schema;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.PatternSyntaxException;

/**
 * Checks a schema against {@link SchemaLimits} before everit loads it: size, depth, members, enum sizes, {@code $ref}
 * count, pattern syntax (RE2), {@code $ref} cycles that never descend into the instance, and the expanded size. Throws
 * a {@link SchemaRefusedException} subtype pointing at the refused part.
 */
final class SchemaBounds {

    /** Keywords whose subschemas apply to a part of the instance: recursion through them ends with the instance. */
    private static final Set<String> DESCENDING = Set.of("properties", "patternProperties", "additionalProperties",
            "items", "additionalItems", "contains", "propertyNames");

    private static final Set<String> SINGLE = Set.of("additionalItems", "additionalProperties", "contains",
            "propertyNames", "not", "if", "then", "else");
    private static final Set<String> ARRAY = Set.of("allOf", "anyOf", "oneOf");
    private static final Set<String> MAP = Set.of("properties", "patternProperties");

    /** Where an unnamed schema is based, so relative references resolve like absolute ones. */
    private static final URI DEFAULT_BASE_HTTP = URI.create("http://runwire.invalid/schema.json");

    /** A subschema: the node, its pointer in the document, the edges to the subschemas it applies. */
    private static final class Node {
        final JsonNode json;
        final String pointer;
        final List<Edge> edges = new ArrayList<>();

        Node(JsonNode json, String pointer) {
            this.json = json;
            this.pointer = pointer;
        }
    }

    private record Edge(Node target, boolean descends, String ref) {
    }

    private final Map<JsonNode, Node> nodes = new IdentityHashMap<>();
    private final Map<URI, JsonNode> documents = new HashMap<>();
    private final Map<JsonNode, URI> bases = new IdentityHashMap<>();
    private final Map<Node, String> pendingRefs = new IdentityHashMap<>();
    private final Set<String> externalUris;
    private final JsonNode root;
    private int refs;

    private SchemaBounds(JsonNode root, Set<String> externalUris) {
        this.root = root;
        this.externalUris = externalUris;
    }

    /**
     * Checks a schema; {@code externalUris} are documents served locally (the meta-schema), which count as leaves.
     *
     * @throws SchemaRefusedException
     *             when a bound is exceeded
     */
    static void check(JsonNode schema, Set<String> externalUris) {
        checkShape(schema);
        SchemaBounds bounds = new SchemaBounds(schema, externalUris);
        Node top = bounds.walk(schema, "", null);
        bounds.resolveRefs();
        bounds.refuseCyclesWithoutDescent(top);
        long size = bounds.expandedSize(top, new IdentityHashMap<>(), new IdentityHashMap<>(), 0);
        if (size > SchemaLimits.MAX_EXPANDED_SUBSCHEMAS) {
            throw new SchemaTooComplexException(
                    "the schema expands to more than " + SchemaLimits.MAX_EXPANDED_SUBSCHEMAS
                            + " subschemas once its $refs are followed (anyOf/oneOf/allOf through $ref multiply)",
                    "");
        }
    }

    /** A place in the schema document; its pointer is spelt out only when something there is refused. */
    private record Place(JsonNode node, Place parent, String token, int depth) {

        String pointer() {
            Deque<String> tokens = new ArrayDeque<>();
            for (Place p = this; p.parent != null; p = p.parent) {
                tokens.push(p.token);
            }
            StringBuilder pointer = new StringBuilder();
            tokens.forEach(token -> pointer.append('/').append(escape(token)));
            return pointer.toString();
        }

        boolean isEnum() {
            return "enum".equals(token);
        }
    }

    /** Size, depth, node and member counts, without recursion (a hostile document may be arbitrarily deep). */
    private static void checkShape(JsonNode schema) {
        Deque<Place> stack = new ArrayDeque<>();
        stack.push(new Place(schema, null, null, 1));
        long chars = 0;
        int count = 0;
        while (!stack.isEmpty()) {
            Place place = stack.pop();
            JsonNode node = place.node();
            if (++count > SchemaLimits.MAX_SCHEMA_NODES) {
                throw new SchemaTooComplexException(
                        "the schema has more than " + SchemaLimits.MAX_SCHEMA_NODES + " JSON values", "");
            }
            if (place.depth() > SchemaLimits.MAX_SCHEMA_DEPTH) {
                throw new SchemaTooComplexException(
                        "the schema is nested deeper than " + SchemaLimits.MAX_SCHEMA_DEPTH + " levels",
                        place.pointer());
            }
            if (place.isEnum() && node.isArray() && node.size() > SchemaLimits.MAX_ENUM_VALUES) {
                throw new SchemaTooComplexException("an enum has more than " + SchemaLimits.MAX_ENUM_VALUES + " values",
                        place.pointer());
            }
            if (node.isContainerNode() && node.size() > SchemaLimits.MAX_OBJECT_MEMBERS) {
                throw new SchemaTooComplexException("an object or array of the schema has more than "
                        + SchemaLimits.MAX_OBJECT_MEMBERS + " members", place.pointer());
            }
            chars += 2;
            if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> field = it.next();
                    chars += field.getKey().length() + 3;
                    stack.push(new Place(field.getValue(), place, field.getKey(), place.depth() + 1));
                }
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    stack.push(new Place(node.get(i), place, String.valueOf(i), place.depth() + 1));
                }
            } else if (node.isValueNode()) {
                chars += node.asText().length();
            }
            if (chars > SchemaLimits.MAX_SCHEMA_CHARS) {
                throw new SchemaTooComplexException(
                        "the schema is larger than " + SchemaLimits.MAX_SCHEMA_CHARS / 1024 + " KiB", "");
            }
        }
    }

    /** Builds the subschema graph from the keywords draft 7 applies; depth is bounded by {@link #checkShape}. */
    private Node walk(JsonNode json, String pointer, URI base) {
        Node existing = nodes.get(json);
        if (existing != null) {
            return existing;
        }
        Node node = new Node(json, pointer);
        nodes.put(json, node);
        if (!json.isObject()) {
            return node;
        }
        JsonNode ref = json.get("$ref");
        if (ref != null && ref.isTextual()) {
            // draft 7: beside $ref every keyword, $id included, is ignored
            if (++refs > SchemaLimits.MAX_REFS) {
                throw new SchemaTooComplexException("the schema has more than " + SchemaLimits.MAX_REFS + " $refs",
                        pointer);
            }
            bases.put(json, base == null ? DEFAULT_BASE_HTTP : base);
            pendingRefs.put(node, ref.asText());
            return node;
        }
        URI here = base(json, base);
        bases.put(json, here == null ? DEFAULT_BASE_HTTP : here);
        checkEnum(json, pointer);
        checkPattern(json.get("pattern"), pointer + "/pattern", false);
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String keyword = field.getKey();
            JsonNode value = field.getValue();
            String at = pointer + "/" + escape(keyword);
            boolean descends = DESCENDING.contains(keyword);
            if (SINGLE.contains(keyword) || keyword.equals("items") && !value.isArray()) {
                node.edges.add(new Edge(walk(value, at, here), descends, null));
            } else if ((ARRAY.contains(keyword) || keyword.equals("items")) && value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    node.edges.add(new Edge(walk(value.get(i), at + "/" + i, here), descends, null));
                }
            } else if (MAP.contains(keyword) || keyword.equals("dependencies")) {
                if (!value.isObject()) {
                    continue;
                }
                for (Iterator<Map.Entry<String, JsonNode>> members = value.fields(); members.hasNext();) {
                    Map.Entry<String, JsonNode> member = members.next();
                    String memberAt = at + "/" + escape(member.getKey());
                    if (keyword.equals("patternProperties")) {
                        checkPattern(new com.fasterxml.jackson.databind.node.TextNode(member.getKey()), memberAt, true);
                    }
                    if (keyword.equals("dependencies") && member.getValue().isArray()) {
                        continue; // a list of property names, not a schema
                    }
                    node.edges.add(new Edge(walk(member.getValue(), memberAt, here), descends, null));
                }
            } else if (keyword.equals("definitions") && value.isObject()) {
                // not applied unless referenced, but walked so their $ids and $refs are known
                for (Iterator<Map.Entry<String, JsonNode>> members = value.fields(); members.hasNext();) {
                    Map.Entry<String, JsonNode> member = members.next();
                    walk(member.getValue(), at + "/" + escape(member.getKey()), here);
                }
            }
        }
        return node;
    }

    private URI base(JsonNode json, URI base) {
        JsonNode id = json.get("$id");
        if (id == null || !id.isTextual()) {
            return base;
        }
        try {
            URI resolved = (base == null ? DEFAULT_BASE_HTTP : base).resolve(new URI(id.asText()));
            if (resolved.getFragment() != null && !resolved.getFragment().isEmpty()) {
                documents.putIfAbsent(resolved, json);
                return base; // a plain-name $id ("#foo") names this subschema without changing the base
            }
            documents.putIfAbsent(withoutFragment(resolved), json);
            return withoutFragment(resolved);
        } catch (URISyntaxException | IllegalArgumentException e) {
            return base; // the loader reports an unusable $id
        }
    }

    private static void checkEnum(JsonNode json, String pointer) {
        JsonNode values = json.get("enum");
        if (values != null && values.isArray() && values.size() > SchemaLimits.MAX_ENUM_VALUES) {
            throw new SchemaTooComplexException("an enum has more than " + SchemaLimits.MAX_ENUM_VALUES + " values",
                    pointer + "/enum");
        }
    }

    /** RE2 runs in linear time; what it cannot express (backreferences, lookaround) is refused here, with its place. */
    static void checkPattern(JsonNode pattern, String pointer, boolean propertyName) {
        if (pattern == null || !pattern.isTextual()) {
            return;
        }
        String regex = pattern.asText();
        if (regex.length() > SchemaLimits.MAX_PATTERN_CHARS) {
            throw new SchemaTooComplexException(
                    "a pattern is longer than " + SchemaLimits.MAX_PATTERN_CHARS + " characters", pointer);
        }
        try {
            com.google.re2j.Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new InvalidSchemaException("unsupported_pattern",
                    (propertyName ? "the patternProperties key" : "the pattern") + " '" + regex
                            + "' is not supported: patterns run on RE2, which has no backreferences or lookaround ("
                            + e.getDescription() + ")",
                    pointer);
        }
    }

    private void resolveRefs() {
        if (root.isObject()) {
            documents.putIfAbsent(withoutFragment(bases.getOrDefault(root, DEFAULT_BASE_HTTP)), root);
            documents.putIfAbsent(withoutFragment(DEFAULT_BASE_HTTP), root);
        }
        Set<Node> done = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        List<Node> work = new ArrayList<>(pendingRefs.keySet());
        while (!work.isEmpty()) {
            Node from = work.remove(work.size() - 1);
            if (!done.add(from)) {
                continue;
            }
            String ref = pendingRefs.get(from);
            URI base = bases.get(from.json);
            for (JsonNode target : targets(base, ref)) {
                Node to = nodes.get(target);
                if (to == null) {
                    // a reference into a place not walked as a schema (e.g. "#/enum/0"): a schema there too
                    to = walk(target, pointerOf(ref), base);
                    pendingRefs.keySet().stream().filter(n -> !done.contains(n)).forEach(work::add);
                }
                from.edges.add(new Edge(to, false, ref));
            }
        }
    }

    /**
     * The nodes a reference may name: where draft 7 resolves it and, for a fragment, also from the outermost document,
     * which is where everit resolves it. Empty when it is outside the schema (the loader refuses or serves it).
     */
    private List<JsonNode> targets(URI base, String ref) {
        List<JsonNode> found = new ArrayList<>(2);
        JsonNode spec = resolve(base, ref);
        if (spec != null) {
            found.add(spec);
        }
        if (ref.startsWith("#/")) {
            JsonNode outer = resolve(DEFAULT_BASE_HTTP, ref);
            if (outer == null) {
                outer = atPointer(root, ref.substring(1));
            }
            if (outer != null && outer != spec) {
                found.add(outer);
            }
        }
        found.removeIf(node -> !node.isObject() && !node.isBoolean());
        return found;
    }

    /** The node a reference names, or null when it is not inside the schema (the loader refuses or serves it). */
    private JsonNode resolve(URI base, String ref) {
        URI target;
        try {
            target = base.resolve(new URI(ref));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
        if (externalUris.contains(withoutFragment(target).toString()) || externalUris.contains(target.toString())) {
            return null;
        }
        String fragment = target.getFragment();
        JsonNode document = documents.get(withoutFragment(target));
        if (document == null && ref.startsWith("#")) {
            document = root;
        }
        if (document == null) {
            return null;
        }
        if (fragment == null || fragment.isEmpty()) {
            return document;
        }
        if (fragment.startsWith("/")) {
            return atPointer(document, fragment);
        }
        return documents.get(target); // a plain-name fragment
    }

    private static JsonNode atPointer(JsonNode document, String pointer) {
        try {
            JsonNode found = document.at(JsonPointer.compile(pointer));
            return found.isMissingNode() ? null : found;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private String pointerOf(String ref) {
        return ref.startsWith("#") ? ref.substring(1) : "";
    }

    /** A cycle of $refs and in-place applicators (allOf, anyOf, not, if...) would recurse forever on any instance. */
    private void refuseCyclesWithoutDescent(Node top) {
        Map<Node, Boolean> state = new IdentityHashMap<>(); // false: on the path, true: done
        visitInPlace(top, state, 0);
        for (Node node : new ArrayList<>(nodes.values())) {
            // definitions reachable only through descending keywords are checked too
            if (!state.containsKey(node)) {
                visitInPlace(node, state, 0);
            }
        }
    }

    private void visitInPlace(Node node, Map<Node, Boolean> state, int depth) {
        if (depth > SchemaLimits.MAX_REF_CHAIN) {
            throw new SchemaTooComplexException(
                    "the schema's references chain deeper than " + SchemaLimits.MAX_REF_CHAIN + " levels",
                    node.pointer);
        }
        state.put(node, false);
        for (Edge edge : node.edges) {
            if (edge.descends()) {
                continue;
            }
            Boolean seen = state.get(edge.target());
            if (seen == null) {
                visitInPlace(edge.target(), state, depth + 1);
            } else if (!seen) {
                throw new SchemaTooComplexException("the schema refers to itself at '" + node.pointer
                        + "' without descending into the value (through properties, items...): validation would never end",
                        node.pointer);
            }
        }
        state.put(node, true);
    }

    /** Subschemas visited for one instance location, each target expanded once, recursion counted once. */
    private long expandedSize(Node node, Map<Node, Long> memo, Map<Node, Boolean> onPath, int depth) {
        Long known = memo.get(node);
        if (known != null) {
            return known;
        }
        if (onPath.containsKey(node)) {
            return 1; // recursion through a descending keyword: it goes as deep as the instance, counted once
        }
        if (depth > SchemaLimits.MAX_REF_CHAIN) {
            throw new SchemaTooComplexException(
                    "the schema's references chain deeper than " + SchemaLimits.MAX_REF_CHAIN + " levels",
                    node.pointer);
        }
        onPath.put(node, true);
        long size = 1;
        for (Edge edge : node.edges) {
            size += expandedSize(edge.target(), memo, onPath, depth + 1);
            if (size > SchemaLimits.MAX_EXPANDED_SUBSCHEMAS) {
                break; // refused by the caller; no need to count further
            }
        }
        onPath.remove(node);
        memo.put(node, size);
        return size;
    }

    private static URI withoutFragment(URI uri) {
        try {
            return new URI(uri.getScheme(), uri.getSchemeSpecificPart(), null);
        } catch (URISyntaxException e) {
            return uri;
        }
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}

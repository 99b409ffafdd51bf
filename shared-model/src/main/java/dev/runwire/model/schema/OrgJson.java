package dev.runwire.model.schema;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.json.JSONArray;
import org.json.JSONObject;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Converts Jackson trees to the org.json values everit validates, keeping numbers exact. Values built for a validation
 * check a {@link Deadline} in every accessor everit uses to walk them (keys, members, items, lengths), including the
 * comparisons of {@code uniqueItems}, {@code enum} and {@code const}, so a costly validation stops at its budget.
 */
final class OrgJson {

    private OrgJson() {
    }

    /** Plain values, for the loader (a schema is already bounded by {@link SchemaBounds}). */
    static Object from(JsonNode node) {
        return from(node, null);
    }

    /**
     * Values whose accessors check the deadline; a value nested deeper than {@link SchemaLimits#MAX_INSTANCE_DEPTH} is
     * refused before everit recurses into it.
     */
    static Object budgeted(JsonNode node, Deadline deadline) {
        checkDepth(node);
        return from(node, deadline);
    }

    /**
     * Maps and lists for everit's loader, which takes them as they are (a JSONObject it copies into plain maps first):
     * their lookups check the deadline, so loading a large schema stops at its budget too.
     */
    static Object forLoader(JsonNode node, Deadline deadline) {
        if (node.isObject()) {
            Map<String, Object> map = new BudgetedMap(deadline);
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                map.put(field.getKey(), forLoader(field.getValue(), deadline));
            }
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new BudgetedList(deadline);
            for (JsonNode item : node) {
                list.add(forLoader(item, deadline));
            }
            return list;
        }
        return from(node, null);
    }

    /** Without recursion: a hostile value may be nested far deeper than the stack allows. */
    private static void checkDepth(JsonNode node) {
        Deque<JsonNode> stack = new ArrayDeque<>();
        Deque<Integer> depths = new ArrayDeque<>();
        stack.push(node);
        depths.push(1);
        while (!stack.isEmpty()) {
            JsonNode current = stack.pop();
            int depth = depths.pop();
            if (depth > SchemaLimits.MAX_INSTANCE_DEPTH) {
                throw new SchemaTooCostlyException(
                        "the value is nested deeper than " + SchemaLimits.MAX_INSTANCE_DEPTH + " levels");
            }
            if (current.isContainerNode()) {
                for (JsonNode child : current) {
                    if (child.isContainerNode()) {
                        stack.push(child);
                        depths.push(depth + 1);
                    }
                }
            }
        }
    }

    private static Object from(JsonNode node, Deadline deadline) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return JSONObject.NULL;
        }
        if (node.isObject()) {
            JSONObject object = deadline == null ? new JSONObject() : new BudgetedObject(deadline);
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                object.put(field.getKey(), from(field.getValue(), deadline));
            }
            return object;
        }
        if (node.isArray()) {
            JSONArray array = deadline == null ? new JSONArray() : new BudgetedArray(deadline);
            for (JsonNode item : node) {
                array.put(from(item, deadline));
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

    /** An object that checks the deadline whenever everit reads it. */
    private static final class BudgetedObject extends JSONObject {

        private final Deadline deadline;

        BudgetedObject(Deadline deadline) {
            this.deadline = deadline;
        }

        @Override
        public Object get(String key) {
            deadline.check();
            return super.get(key);
        }

        @Override
        public Object opt(String key) {
            deadline.check();
            return super.opt(key);
        }

        @Override
        public boolean has(String key) {
            deadline.check();
            return super.has(key);
        }

        @Override
        public int length() {
            deadline.check();
            return super.length();
        }

        @Override
        public boolean isEmpty() {
            deadline.check();
            return super.isEmpty();
        }

        @Override
        public Set<String> keySet() {
            deadline.check();
            return super.keySet();
        }

        @Override
        public Iterator<String> keys() {
            deadline.check();
            return super.keys();
        }
    }

    /** An array that checks the deadline whenever everit reads it. */
    private static final class BudgetedArray extends JSONArray {

        private final Deadline deadline;

        BudgetedArray(Deadline deadline) {
            this.deadline = deadline;
        }

        @Override
        public Object get(int index) {
            deadline.check();
            return super.get(index);
        }

        @Override
        public Object opt(int index) {
            deadline.check();
            return super.opt(index);
        }

        @Override
        public int length() {
            deadline.check();
            return super.length();
        }

        @Override
        public boolean isEmpty() {
            deadline.check();
            return super.isEmpty();
        }

        @Override
        public Iterator<Object> iterator() {
            deadline.check();
            return super.iterator();
        }
    }

    /** A schema object for the loader that checks the deadline on every lookup. */
    private static final class BudgetedMap extends LinkedHashMap<String, Object> {

        private static final long serialVersionUID = 1L;
        private final transient Deadline deadline;

        BudgetedMap(Deadline deadline) {
            this.deadline = deadline;
        }

        @Override
        public Object get(Object key) {
            deadline.check();
            return super.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            deadline.check();
            return super.containsKey(key);
        }
    }

    /** A schema array for the loader that checks the deadline on every item read. */
    private static final class BudgetedList extends ArrayList<Object> {

        private static final long serialVersionUID = 1L;
        private final transient Deadline deadline;

        BudgetedList(Deadline deadline) {
            this.deadline = deadline;
        }

        @Override
        public Object get(int index) {
            deadline.check();
            return super.get(index);
        }
    }
}

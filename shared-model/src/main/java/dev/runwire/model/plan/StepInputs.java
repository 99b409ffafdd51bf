package dev.runwire.model.plan;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * References from a step's input to an earlier step's output. Anywhere in an input, the object {@code {"$fromStep":
 * "lookup", "$pointer": "/customer/id"}} stands for the value at that JSON pointer in the output of step {@code lookup}
 * ({@code $pointer} absent or empty: the whole output). The api-service checks references before a run starts; the
 * executor resolves them when the referenced steps have succeeded.
 */
public final class StepInputs {

    public static final String FROM_STEP = "$fromStep";
    public static final String POINTER = "$pointer";

    private StepInputs() {
    }

    /**
     * One reference.
     *
     * @param at
     *            JSON pointer to the reference inside the input
     * @param stepId
     *            the step whose output it reads
     * @param pointer
     *            JSON pointer into that output
     */
    public record Reference(String at, String stepId, String pointer) {
    }

    /** A value could not be taken from the referenced output. */
    public static final class UnresolvedReferenceException extends Exception {
        private static final long serialVersionUID = 1L;

        UnresolvedReferenceException(String message) {
            super(message);
        }
    }

    /** Every reference in the input, in document order. */
    public static List<Reference> references(JsonNode input) {
        List<Reference> found = new ArrayList<>();
        collect(input, "", found);
        return found;
    }

    /** Whether the node is a reference object; a malformed one ({@code $fromStep} not a string) is not. */
    public static boolean isReference(JsonNode node) {
        return node != null && node.isObject() && node.path(FROM_STEP).isTextual()
                && (!node.has(POINTER) || node.get(POINTER).isTextual());
    }

    /** Whether the text is a valid JSON pointer ({@code ""} or starting with {@code /}). */
    public static boolean isPointer(String pointer) {
        try {
            JsonPointer.compile(pointer);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The input with every reference replaced by the value it points at. */
    public static JsonNode resolve(JsonNode input, Map<String, JsonNode> outputs) throws UnresolvedReferenceException {
        if (input == null) {
            return null;
        }
        if (isReference(input)) {
            String stepId = input.get(FROM_STEP).asText();
            String pointer = input.has(POINTER) ? input.get(POINTER).asText() : "";
            JsonNode output = outputs.get(stepId);
            if (output == null) {
                throw new UnresolvedReferenceException("step " + stepId + " has no output");
            }
            JsonNode value = output.at(pointer);
            if (value.isMissingNode()) {
                throw new UnresolvedReferenceException(
                        "the output of step " + stepId + " has no value at '" + pointer + "'");
            }
            return value.deepCopy();
        }
        if (input.isObject()) {
            ObjectNode copy = ((ObjectNode) input).objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = input.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                copy.set(field.getKey(), resolve(field.getValue(), outputs));
            }
            return copy;
        }
        if (input.isArray()) {
            ArrayNode copy = ((ArrayNode) input).arrayNode();
            for (JsonNode item : input) {
                copy.add(resolve(item, outputs));
            }
            return copy;
        }
        return input;
    }

    private static void collect(JsonNode node, String at, List<Reference> found) {
        if (node == null) {
            return;
        }
        if (isReference(node)) {
            found.add(new Reference(at, node.get(FROM_STEP).asText(),
                    node.has(POINTER) ? node.get(POINTER).asText() : ""));
            return;
        }
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(field -> collect(field.getValue(), at + "/" + escape(field.getKey()), found));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), at + "/" + i, found);
            }
        }
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}

package dev.runwire.executor.integration;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Expands an action's request templates from a step's input. A placeholder {@code {name}} is the input value at JSON
 * pointer {@code /name}.
 */
final class RequestTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]+)}");

    private RequestTemplate() {
    }

    /** Thrown when a required placeholder has no value in the input. */
    static final class MissingValueException extends RuntimeException {
        MissingValueException(String placeholder) {
            super("the input has no value for {" + placeholder + "}", null, false, false);
        }
    }

    /** Expands a path template; every placeholder is required and URL-encoded. */
    static String path(String template, JsonNode input) {
        return expand(template, input, true);
    }

    /** Expands a header or query value; returns null when a placeholder has no value. */
    static String optionalValue(String template, JsonNode input) {
        try {
            return expand(template, input, false);
        } catch (MissingValueException e) {
            return null;
        }
    }

    /** Builds a JSON body: each property takes the input's value at its pointer, keeping its type. */
    static JsonNode body(Map<String, String> mapping, JsonNode input) {
        if (mapping == null) {
            return input;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        mapping.forEach((property, pointer) -> {
            JsonNode value = input.at(pointer);
            if (!value.isMissingNode()) {
                body.set(property, value);
            }
        });
        return body;
    }

    /** Shapes an output from a response body by JSON pointers. */
    static JsonNode output(Map<String, String> mapping, JsonNode response) {
        return body(mapping, response);
    }

    private static String expand(String template, JsonNode input, boolean encode) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            JsonNode value = input == null ? null : input.at("/" + name);
            if (value == null || value.isMissingNode() || value.isNull()) {
                throw new MissingValueException(name);
            }
            String text = value.isValueNode() ? value.asText() : value.toString();
            String replacement = encode ? URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20") : text;
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}

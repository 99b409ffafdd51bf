package dev.runwire.api.action;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.api.error.ApiException;
import dev.runwire.model.schema.CompiledSchema;
import dev.runwire.model.schema.InvalidSchemaException;
import dev.runwire.model.schema.RemoteRefRefusedException;
import dev.runwire.model.schema.SchemaCompiler;
import dev.runwire.model.schema.Violation;

/**
 * Draft-7 schemas of actions: checked on write, compiled once per action version for validating inputs (versions are
 * immutable, so the version id is a safe cache key).
 */
@ApplicationScoped
public class Schemas {

    private static final int MAX_ENTRIES = 10_000;

    private final SchemaCompiler compiler = new SchemaCompiler();
    private final Map<UUID, CompiledSchema> inputSchemas = new ConcurrentHashMap<>();
    private final Map<String, CompiledSchema> bySchemaText = new ConcurrentHashMap<>();

    /** Checks a schema given in a request; a 422 pointing at {@code pointer} if it is not valid. */
    public void check(JsonNode schema, String pointer) {
        if (schema == null || schema.isNull()) {
            return;
        }
        try {
            compiler.compile(schema);
        } catch (RemoteRefRefusedException e) {
            throw ApiException.invalid("remote_ref_refused", e.getMessage(), pointer);
        } catch (InvalidSchemaException e) {
            throw ApiException.invalid("invalid_schema", e.getMessage(), pointer);
        }
    }

    /**
     * Violations of a schema that has no version id (an agent action's, a step's announced one) by a value; compiled
     * once per schema text.
     */
    public List<Violation> violations(JsonNode schema, JsonNode value) {
        if (schema == null || schema.isNull()) {
            return List.of();
        }
        if (bySchemaText.size() > MAX_ENTRIES) {
            bySchemaText.clear();
        }
        return bySchemaText.computeIfAbsent(schema.toString(), text -> compiler.compile(schema)).validate(value);
    }

    /** Violations of an action version's input schema by an input. */
    public List<Violation> inputViolations(UUID actionId, String inputSchema, JsonNode input) {
        if (inputSchema == null) {
            return List.of();
        }
        if (inputSchemas.size() > MAX_ENTRIES) {
            inputSchemas.clear();
        }
        return inputSchemas.computeIfAbsent(actionId, id -> compiler.compile(inputSchema)).validate(input);
    }
}

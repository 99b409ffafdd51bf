package dev.runwire.executor.integration;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.command.ActionSpec;
import dev.runwire.model.schema.CompiledSchema;
import dev.runwire.model.schema.SchemaCompiler;
import dev.runwire.model.schema.Violation;

/**
 * Output schemas compiled once per action version (versions are immutable, so the id is a safe cache key). The cache is
 * bounded: past its size it starts over.
 */
@ApplicationScoped
public class OutputSchemas {

    private static final int MAX_ENTRIES = 10_000;

    private final SchemaCompiler compiler = new SchemaCompiler();
    private final Map<UUID, CompiledSchema> compiled = new ConcurrentHashMap<>();

    /** Violations of the action's output schema; empty when it has none or the output conforms. */
    public List<Violation> violations(ActionSpec action, JsonNode output) {
        if (action.outputSchema() == null || action.outputSchema().isNull()) {
            return List.of();
        }
        if (compiled.size() > MAX_ENTRIES) {
            compiled.clear();
        }
        return compiled.computeIfAbsent(action.actionId(), id -> compiler.compile(action.outputSchema()))
                .validate(output);
    }
}

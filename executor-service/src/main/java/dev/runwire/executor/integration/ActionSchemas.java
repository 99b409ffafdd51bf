package dev.runwire.executor.integration;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.runwire.model.command.ActionSpec;
import dev.runwire.model.schema.CompiledSchema;
import dev.runwire.model.schema.SchemaCompiler;
import dev.runwire.model.schema.SchemaLimits;
import dev.runwire.model.schema.SchemaRefusedException;
import dev.runwire.model.schema.Violation;

/**
 * An action's input and output schemas, compiled once per action version (versions are immutable, so the id is a safe
 * cache key). The caches are bounded in size, the least used going first, and forget what was not used for a while.
 * <p>
 * Synchronous, for callers on worker threads. Every compilation and validation is held to {@link SchemaLimits} and its
 * time budget ({@link SchemaLimits#DEFAULT_BUDGET}), so none hangs or overflows the stack: each method either answers
 * or throws a {@link SchemaRefusedException} (its {@code code()} is {@code invalid_schema}, {@code schema_too_complex},
 * {@code remote_ref_refused}, {@code unsupported_pattern} or {@code schema_too_costly}), which the caller turns into a
 * failed run. No {@link Error} escapes.
 */
@ApplicationScoped
public class ActionSchemas {

    private static final int MAX_ENTRIES = 10_000;
    private static final Duration UNUSED_FOR = Duration.ofHours(1);

    private final SchemaCompiler compiler = new SchemaCompiler();
    private final Cache<UUID, CompiledSchema> inputs = cache();
    private final Cache<UUID, CompiledSchema> outputs = cache();

    private static Cache<UUID, CompiledSchema> cache() {
        return Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterAccess(UNUSED_FOR).build();
    }

    /**
     * Violations of the action's output schema; empty when it has none or the output conforms.
     *
     * @throws SchemaRefusedException
     *             when the schema cannot be used or the check is too costly
     */
    public List<Violation> outputViolations(ActionSpec action, JsonNode output) {
        return violations(outputs, action.actionId(), action.outputSchema(), output);
    }

    /**
     * Violations of the action's input schema; empty when it has none or the input conforms.
     *
     * @throws SchemaRefusedException
     *             when the schema cannot be used or the check is too costly
     */
    public List<Violation> inputViolations(ActionSpec action, JsonNode input) {
        return violations(inputs, action.actionId(), action.inputSchema(), input);
    }

    /**
     * Violations of a schema used once (a run's output schema): compiled, not cached.
     *
     * @throws SchemaRefusedException
     *             when the schema cannot be used or the check is too costly
     */
    public List<Violation> violations(JsonNode schema, JsonNode value) {
        return schema == null || schema.isNull() ? List.of() : compiler.compile(schema).validate(value);
    }

    private List<Violation> violations(Cache<UUID, CompiledSchema> cache, UUID actionId, JsonNode schema,
            JsonNode value) {
        if (schema == null || schema.isNull()) {
            return List.of();
        }
        // a refused schema throws out of the compilation and is not cached
        return cache.get(actionId, id -> compiler.compile(schema)).validate(value);
    }
}

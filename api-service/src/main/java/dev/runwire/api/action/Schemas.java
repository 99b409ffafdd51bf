package dev.runwire.api.action;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.model.schema.CompiledSchema;
import dev.runwire.model.schema.SchemaCompiler;
import dev.runwire.model.schema.SchemaRefusedException;
import dev.runwire.model.schema.SchemaTooCostlyException;
import dev.runwire.model.schema.Violation;

/**
 * Draft-7 schemas of actions: checked on write, compiled once per action version for validating inputs (versions are
 * immutable, so the version id is a safe cache key).
 * <p>
 * Every compilation and validation runs on a dedicated Vert.x worker pool ({@code runwire-schema-checks}) within the
 * configured budget, never on an event loop. A dedicated pool rather than the default worker pool or a managed
 * executor: costly schemas then queue behind each other instead of taking the threads blocking endpoints and clients
 * need, and Vert.x hands the result back on the request's context, where the rest of the chain (the SQL client's
 * statements among it) must continue. A check past its budget answers 422 {@code schema_too_costly} at the pointer of
 * the schema or value.
 */
@ApplicationScoped
public class Schemas {

    private static final int MAX_ENTRIES = 10_000;
    private static final Duration UNUSED = Duration.ofHours(1);

    /** One value to check against an action version's input schema, and where it is in the request. */
    public record Input(UUID actionId, String inputSchema, JsonNode value, String pointer) {
    }

    private final SchemaCompiler compiler = new SchemaCompiler();
    /** Compiled input schemas by action version (a version never changes); unused ones go after an hour. */
    private final Cache<UUID, CompiledSchema> inputSchemas = Caffeine.newBuilder().maximumSize(MAX_ENTRIES)
            .expireAfterAccess(UNUSED).build();
    /** Compiled schemas without a version, by their text. */
    private final Cache<String, CompiledSchema> bySchemaText = Caffeine.newBuilder().maximumSize(MAX_ENTRIES)
            .expireAfterAccess(UNUSED).build();
    private final Duration budget;
    private final WorkerExecutor pool;

    Schemas(Vertx vertx, ApiConfig config) {
        this.budget = config.schemaChecks().budget();
        // a task far past its budget is a defect worth Vert.x's blocked-thread warning, not a slow schema
        long warnAfter = Math.max(10_000, budget.toMillis() * 10);
        this.pool = vertx.createSharedWorkerExecutor("runwire-schema-checks", config.schemaChecks().workers(),
                warnAfter, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void close() {
        pool.close();
    }

    /** Checks a schema given in a request; fails with a 422 pointing at {@code pointer} if it cannot be used. */
    public Uni<Void> check(JsonNode schema, String pointer) {
        if (schema == null || schema.isNull()) {
            return Uni.createFrom().voidItem();
        }
        // a refused part of the schema is pointed at inside it
        return offLoop(() -> pointer, true, () -> {
            compiler.compile(schema, budget);
            return null;
        });
    }

    /**
     * Violations of a schema that has no version id (an agent action's, a step's announced one) by a value at
     * {@code pointer}; compiled once per schema text.
     */
    public Uni<List<Violation>> violations(JsonNode schema, JsonNode value, String pointer) {
        if (schema == null || schema.isNull()) {
            return Uni.createFrom().item(List.of());
        }
        return offLoop(() -> pointer, false, () -> {
            return bySchemaText.get(schema.toString(), text -> compiler.compile(schema, budget)).validate(value,
                    budget);
        });
    }

    /** Violations of an action version's input schema by an input at {@code pointer}. */
    public Uni<List<Violation>> inputViolations(UUID actionId, String inputSchema, JsonNode input, String pointer) {
        return inputViolations(List.of(new Input(actionId, inputSchema, input, pointer))).map(all -> all.get(0));
    }

    /** Violations of several inputs (a plan's steps), in order, checked in one task of the pool. */
    public Uni<List<List<Violation>>> inputViolations(List<Input> inputs) {
        if (inputs.stream().allMatch(input -> input.inputSchema() == null)) {
            return Uni.createFrom().item(inputs.stream().<List<Violation>> map(input -> List.of()).toList());
        }
        String[] at = { inputs.isEmpty() ? "" : inputs.get(0).pointer() };
        return offLoop(() -> at[0], false, () -> {
            List<List<Violation>> all = new ArrayList<>(inputs.size());
            for (Input input : inputs) {
                at[0] = input.pointer();
                all.add(input.inputSchema() == null ? List.of() : inputSchema(input).validate(input.value(), budget));
            }
            return all;
        });
    }

    private CompiledSchema inputSchema(Input input) {
        return inputSchemas.get(input.actionId(), id -> compiler.compile(input.inputSchema(), budget));
    }

    /**
     * Runs a check on the pool and continues on the caller's context. A check still queued when its caller gave up is
     * skipped; one that never returns is answered after three budgets all the same.
     */
    private <T> Uni<T> offLoop(Supplier<String> pointer, boolean intoSchema, Callable<T> check) {
        return Uni.createFrom().deferred(() -> {
            Context caller = Vertx.currentContext();
            AtomicBoolean abandoned = new AtomicBoolean();
            Uni<T> result = Uni.createFrom().completionStage(() -> pool.<T> executeBlocking(() -> {
                if (abandoned.get()) {
                    throw new SchemaTooCostlyException("the schema check waited too long for a free worker");
                }
                return check.call();
            }, false).toCompletionStage())
                    // the timeout cancels what is above it: a task still queued then is skipped
                    .onCancellation().invoke(() -> abandoned.set(true)).ifNoItem().after(budget.multipliedBy(3))
                    .failWith(() -> new SchemaTooCostlyException(
                            "the schema check took longer than " + budget.toMillis() + " ms"))
                    .onFailure(SchemaRefusedException.class)
                    .transform(e -> refusal((SchemaRefusedException) e, pointer.get(), intoSchema));
            return caller == null ? result : result.emitOn(task -> caller.runOnContext(ignored -> task.run()));
        });
    }

    private static Invalid refusal(SchemaRefusedException e, String pointer, boolean intoSchema) {
        return new Invalid(e.code(), e.getMessage(), intoSchema ? pointer + e.schemaPointer() : pointer);
    }
}

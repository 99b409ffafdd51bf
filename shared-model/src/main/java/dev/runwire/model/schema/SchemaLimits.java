package dev.runwire.model.schema;

import java.time.Duration;

/**
 * The bounds every schema and validation is held to, in one place. A schema is checked against them before everit sees
 * it, so no schema can make compiling or validating take unbounded time or stack. Each is far above what hand-written
 * or generated schemas of real APIs use (the draft-07 meta-schema is 172 nodes, 5 levels deep, 32 {@code $ref}s), and
 * low enough that the worst schema within all of them compiles and validates a typical value in milliseconds. Where a
 * cost cannot be bounded statically (it depends on the value: {@code uniqueItems} on a long array, a large value
 * against a wide schema), the time budget decides.
 */
public final class SchemaLimits {

    /** JSON text of a schema, in characters (about 256 KiB): schemas are documents, not data sets. */
    public static final int MAX_SCHEMA_CHARS = 256 * 1024;

    /** Nesting of the schema document; each JSON level costs a few stack frames in everit. */
    public static final int MAX_SCHEMA_DEPTH = 64;

    /**
     * JSON values (objects, arrays, scalars) in a schema document. everit loads a few thousand subschemas a second on a
     * busy core, so this also keeps compiling within its budget.
     */
    public static final int MAX_SCHEMA_NODES = 10_000;

    /** Members of one object or array (properties of one {@code properties}, keys of one {@code definitions}...). */
    public static final int MAX_OBJECT_MEMBERS = 1_000;

    /** Values of one {@code enum}. */
    public static final int MAX_ENUM_VALUES = 1_000;

    /** {@code $ref}s in a schema. */
    public static final int MAX_REFS = 1_000;

    /** Length of one regular expression ({@code pattern}, a {@code patternProperties} key). */
    public static final int MAX_PATTERN_CHARS = 1_000;

    /**
     * Subschemas a validation may visit for one instance location, with each {@code $ref} expanded (once per target)
     * and recursion through a keyword that descends into the instance counted once. It bounds the cost of
     * {@code anyOf}/{@code oneOf} chains through {@code $ref}, whose validation time doubles with each level.
     */
    public static final long MAX_EXPANDED_SUBSCHEMAS = 20_000;

    /** Longest chain of references followed while analysing a schema, so the analysis itself stays shallow. */
    public static final int MAX_REF_CHAIN = 500;

    /**
     * Nesting of a value validated against a schema; deeper values are refused before everit recurses into them. everit
     * spends about 3 KiB of stack per level: a 1 MiB thread stack overflows near 340 levels, so 128 leaves room for the
     * caller's own frames.
     */
    public static final int MAX_INSTANCE_DEPTH = 128;

    /** Time a compilation or a validation may take unless the caller gives its own budget. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(1);

    private SchemaLimits() {
    }
}

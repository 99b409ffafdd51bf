package dev.runwire.model.schema;

/**
 * A schema over one of the bounds of {@link SchemaLimits} (size, depth, members, enum size, {@code $ref}s, expanded
 * size) or with a {@code $ref} cycle that never descends into the instance. Refused before it is compiled.
 */
public class SchemaTooComplexException extends InvalidSchemaException {

    public SchemaTooComplexException(String message, String schemaPointer) {
        super("schema_too_complex", message, schemaPointer);
    }
}

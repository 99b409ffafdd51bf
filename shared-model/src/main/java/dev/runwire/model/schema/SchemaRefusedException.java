package dev.runwire.model.schema;

/**
 * Why a schema, or a validation against one, was refused. The one unchecked type callers catch: {@link #code()} is a
 * stable error code and the message is fit to show to the client who sent the schema or the value. Subtypes:
 * {@link InvalidSchemaException} (the schema cannot be used: not draft 7, a remote {@code $ref}, a pattern RE2 cannot
 * run, over the bounds of {@link SchemaLimits}) and {@link SchemaTooCostlyException} (a compilation or validation ran
 * out of its time budget or nested too deeply).
 */
public abstract class SchemaRefusedException extends RuntimeException {

    private final String code;
    private final String schemaPointer;

    protected SchemaRefusedException(String code, String message, String schemaPointer) {
        super(message, null, false, false);
        this.code = code;
        this.schemaPointer = schemaPointer;
    }

    /** A stable error code, e.g. {@code invalid_schema}, {@code schema_too_complex}, {@code schema_too_costly}. */
    public String code() {
        return code;
    }

    /** RFC 6901 pointer inside the schema to what was refused; {@code ""} for the whole schema or when unknown. */
    public String schemaPointer() {
        return schemaPointer;
    }
}

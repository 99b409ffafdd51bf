package dev.runwire.model.schema;

/**
 * A compilation or validation ran out of its time budget, or nested deeper than the thread's stack allows. Says nothing
 * of whether the value conforms: the check was given up. Code {@code schema_too_costly}.
 */
public class SchemaTooCostlyException extends SchemaRefusedException {

    public SchemaTooCostlyException(String message) {
        super("schema_too_costly", message, "");
    }
}

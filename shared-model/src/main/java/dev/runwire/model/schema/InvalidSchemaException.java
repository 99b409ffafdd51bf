package dev.runwire.model.schema;

/** A schema that cannot be used; the message is fit to show to the client who sent it. */
public class InvalidSchemaException extends SchemaRefusedException {

    public InvalidSchemaException(String message) {
        this("invalid_schema", message, "");
    }

    /** A refusal with its own code, pointing at the part of the schema that is refused. */
    public InvalidSchemaException(String code, String message, String schemaPointer) {
        super(code, message, schemaPointer);
    }
}

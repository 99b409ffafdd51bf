package dev.runwire.model.schema;

/** A schema that cannot be used; the message is fit to show to the client who sent it. */
public class InvalidSchemaException extends RuntimeException {

    public InvalidSchemaException(String message) {
        super(message, null, false, false);
    }
}

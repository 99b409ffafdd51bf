package dev.runwire.model.schema;

/** A schema refers to a document outside itself; such references are refused, never fetched. */
public class RemoteRefRefusedException extends InvalidSchemaException {

    public RemoteRefRefusedException(String uri) {
        super("remote_ref_refused", "remote $ref refused: " + uri + " (schemas must be self-contained)", "");
    }
}

package dev.runwire.model.schema;

/**
 * One way an instance fails its schema.
 *
 * @param pointer
 *            RFC 6901 JSON pointer into the instance ({@code ""} for the root)
 * @param message
 *            what is wrong, in words
 * @param keyword
 *            the schema keyword that failed, when known
 */
public record Violation(String pointer, String message, String keyword) {
}

package dev.runwire.api.error;

import java.util.List;

/** A JSON:API error document: {@code {"errors": [...]}}. */
public record ErrorBody(List<ErrorObject> errors) {
}

package dev.runwire.api.error;

import java.util.List;

/** Runwire's own surface: the JSON:API error document {@code {"errors": [...]}}, as it is. */
final class JsonApiRenderer implements ErrorRenderer {

    @Override
    public Rendered render(int status, List<ErrorObject> errors) {
        return new Rendered(status, new ErrorBody(errors));
    }
}

package dev.runwire.api.error;

import java.util.List;
import java.util.stream.Collectors;

/** Error objects said in one sentence, for the surfaces whose failures are a message. */
final class Messages {

    private Messages() {
    }

    /** The details joined, each with where in the request (and, when asked, the facts in its meta). */
    static String of(List<ErrorObject> errors, boolean withMeta) {
        return errors.stream().map(error -> {
            StringBuilder text = new StringBuilder(error.detail() == null ? error.title() : error.detail());
            String where = where(error.source());
            if (where != null && !text.toString().contains(where)) {
                text.append(" (at ").append(where).append(')');
            }
            if (withMeta && error.meta() != null && !error.meta().isEmpty()) {
                text.append(" (")
                        .append(error.meta().entrySet().stream()
                                .map(e -> e.getKey() + ": "
                                        + (e.getValue() instanceof List<?> list
                                                ? list.stream().map(String::valueOf).collect(Collectors.joining(", "))
                                                : String.valueOf(e.getValue())))
                                .collect(Collectors.joining("; ")))
                        .append(')');
            }
            return text.toString();
        }).collect(Collectors.joining("; "));
    }

    private static String where(ErrorObject.Source source) {
        if (source == null) {
            return null;
        }
        if (source.pointer() != null) {
            return source.pointer().isEmpty() ? null : source.pointer();
        }
        if (source.parameter() != null) {
            return "query parameter " + source.parameter();
        }
        return source.header() == null ? null : "header " + source.header();
    }
}

package dev.runwire.api.error;

import java.util.Map;

/**
 * One thing wrong with a request, in no surface's words: a stable code, what went wrong this time, where in the request
 * (a JSON pointer, a query parameter or a header; or nowhere) and more facts. A {@link RunwireException} carries one or
 * more; the surface's renderer decides how they read.
 *
 * @param code
 *            stable machine-readable code
 * @param detail
 *            what went wrong this time
 * @param source
 *            where in the request, or null
 * @param meta
 *            more facts (e.g. the candidate accounts), or null
 */
public record Problem(String code, String detail, ErrorObject.Source source, Map<String, Object> meta) {

    /** A problem with no place in the request. */
    public static Problem of(String code, String detail) {
        return new Problem(code, detail, null, null);
    }

    /** A problem at a JSON pointer into the body; a null pointer is no place. */
    public static Problem at(String code, String detail, String pointer) {
        return new Problem(code, detail, pointer == null ? null : ErrorObject.Source.pointer(pointer), null);
    }

    /** A problem with a query parameter. */
    public static Problem parameter(String code, String detail, String parameter) {
        return new Problem(code, detail, ErrorObject.Source.parameter(parameter), null);
    }

    /** A problem with a header. */
    public static Problem header(String code, String detail, String header) {
        return new Problem(code, detail, ErrorObject.Source.header(header), null);
    }

    /** The same problem with these facts. */
    public Problem withMeta(Map<String, Object> facts) {
        return new Problem(code, detail, source, facts);
    }

    /** The problem an error object tells (its status and title left behind). */
    public static Problem of(ErrorObject error) {
        return new Problem(error.code(), error.detail(), error.source(), error.meta());
    }
}

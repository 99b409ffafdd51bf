package dev.runwire.api.error;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A JSON:API error object, the shape of every error this service answers.
 *
 * @param status
 *            HTTP status code
 * @param code
 *            stable machine-readable code
 * @param title
 *            short summary of the kind of problem
 * @param detail
 *            what went wrong this time
 * @param source
 *            where in the request: a JSON pointer, a query parameter or a header
 * @param meta
 *            more facts, e.g. the run id
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorObject(int status, String code, String title, String detail, Source source,
        Map<String, Object> meta) {

    /** Where the fault is in the request. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(String pointer, String parameter, String header) {

        public static Source pointer(String pointer) {
            return new Source(pointer, null, null);
        }

        public static Source parameter(String parameter) {
            return new Source(null, parameter, null);
        }

        public static Source header(String header) {
            return new Source(null, null, header);
        }
    }
}

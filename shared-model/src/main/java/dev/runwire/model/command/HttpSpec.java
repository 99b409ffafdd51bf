package dev.runwire.model.command;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How an {@code http} action becomes a request. Templates use {@code {name}} placeholders, where {@code name} is a JSON
 * pointer into the input without its leading slash ({@code {city}}, {@code {address/zip}}).
 *
 * @param method
 *            HTTP method
 * @param baseUrl
 *            the integration's base URL, resolved when the run was accepted
 * @param path
 *            path template appended to the base URL; placeholders are URL-encoded
 * @param headers
 *            header name to value template; a header whose placeholder is absent is left out
 * @param query
 *            query parameter to value template; a parameter whose placeholder is absent is left out
 * @param body
 *            body property to JSON pointer into the input (values keep their JSON type); when null, methods with a body
 *            send the whole input
 * @param credentialsInvalid
 *            which answers of the integration mean its credentials no longer work; null when it needs none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HttpSpec(String integrationKey, String method, String baseUrl, String path, Map<String, String> headers,
        Map<String, String> query, Map<String, String> body, CredentialCheck credentialsInvalid) {

    /**
     * Answers that mean "credentials no longer valid": one of these statuses, or a body that matches the pattern (some
     * APIs report an expired token inside a 200).
     *
     * @param statuses
     *            HTTP statuses, e.g. 401
     * @param bodyPattern
     *            a regular expression searched for in the body, or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CredentialCheck(java.util.List<Integer> statuses, String bodyPattern) {

        public boolean matches(int status, String body) {
            if (statuses != null && statuses.contains(status)) {
                return true;
            }
            return bodyPattern != null && body != null
            // RE2: linear in the answer's length whatever the pattern (the api-service accepts RE2 only)
                    && com.google.re2j.Pattern.compile(bodyPattern).matcher(body).find();
        }
    }
}

package dev.runwire.api.integration;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.api.error.ApiException;
import dev.runwire.api.error.ErrorObject;

/**
 * How an integration's calls carry a connected account's credentials: nothing, an API key in a header or in the query,
 * a bearer token, or HTTP basic. Applied as headers or query parameters for one run only (they travel to the executor
 * sealed, as the run's pass-through data).
 *
 * @param type
 *            {@code none}, {@code api_key}, {@code bearer} or {@code basic}
 * @param in
 *            for {@code api_key}: {@code header} or {@code query}
 * @param name
 *            for {@code api_key}: the header or query parameter name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuthScheme(String type, String in, String name) {

    public static final AuthScheme NONE = new AuthScheme("none", null, null);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    private static final List<String> TYPES = List.of("none", "api_key", "bearer", "basic");

    public boolean needsAccount() {
        return !"none".equals(type);
    }

    /** The scheme as given, checked; {@link #NONE} when absent. */
    public static AuthScheme checked(AuthScheme given, String pointer) {
        if (given == null) {
            return NONE;
        }
        if (given.type() == null || !TYPES.contains(given.type())) {
            throw ApiException.invalid("invalid_auth", "auth.type is one of " + TYPES, pointer + "/type");
        }
        if (!given.type().equals("api_key")) {
            return new AuthScheme(given.type(), null, null);
        }
        String in = given.in() == null ? "header" : given.in();
        if (!in.equals("header") && !in.equals("query")) {
            throw ApiException.invalid("invalid_auth", "auth.in is header or query", pointer + "/in");
        }
        if (given.name() == null || !NAME.matcher(given.name()).matches()) {
            throw ApiException.invalid("invalid_auth",
                    "auth.name is the header or parameter name (" + NAME.pattern() + ")", pointer + "/name");
        }
        return new AuthScheme("api_key", in, given.name());
    }

    /** The fields a connected account's credentials must have under this scheme. */
    public List<String> credentialFields() {
        return switch (type) {
        case "api_key" -> List.of("apiKey");
        case "bearer" -> List.of("token");
        case "basic" -> List.of("username", "password");
        default -> List.of();
        };
    }

    /** 422s for credentials that do not fit the scheme (each field a non-empty string of at most 8 KB). */
    public void check(JsonNode credentials, String pointer, List<ErrorObject> errors) {
        if (credentials == null || !credentials.isObject()) {
            errors.add(ApiException.violation("invalid_credentials",
                    "credentials is an object with " + credentialFields(), pointer));
            return;
        }
        for (String field : credentialFields()) {
            JsonNode value = credentials.get(field);
            if (value == null || !value.isTextual() || value.asText().isEmpty() || value.asText().length() > 8192) {
                errors.add(ApiException.violation("invalid_credentials",
                        field + " is required for " + type + " (a string of 1 to 8192 characters)",
                        pointer + "/" + field));
            }
        }
    }

    /** One pass-through entry that puts the credentials where this scheme says, for the integration. */
    public Map<String, Object> passThrough(String integrationKey, JsonNode credentials) {
        return switch (type) {
        case "api_key" -> Map.of("customerIntegrationId", integrationKey, in.equals("query") ? "query" : "headers",
                Map.of(name, credentials.get("apiKey").asText()));
        case "bearer" -> Map.of("customerIntegrationId", integrationKey, "headers",
                Map.of("Authorization", "Bearer " + credentials.get("token").asText()));
        case "basic" -> Map.of("customerIntegrationId", integrationKey, "headers",
                Map.of("Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(
                                (credentials.get("username").asText() + ":" + credentials.get("password").asText())
                                        .getBytes(StandardCharsets.UTF_8))));
        default -> throw new IllegalStateException("no credentials for an integration without auth");
        };
    }
}

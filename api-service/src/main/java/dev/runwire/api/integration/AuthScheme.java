package dev.runwire.api.integration;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.api.error.Problem;
import dev.runwire.api.error.RunwireException.Invalid;
import dev.runwire.model.http.HttpValues;

/**
 * How an integration's calls carry a connected account's credentials: nothing, an API key in a header or in the query,
 * a bearer token, HTTP basic, or an OAuth 2 access token (client credentials, or authorization code with refresh).
 * Applied as headers or query parameters for one run only (they travel to the executor sealed, as the run's
 * pass-through data). See docs/adr/0020-connected-accounts.md and docs/adr/0023-oauth2-and-refused-credentials.md.
 *
 * @param type
 *            {@code none}, {@code api_key}, {@code bearer}, {@code basic}, {@code oauth2_client_credentials} or
 *            {@code oauth2_authorization_code}
 * @param in
 *            for {@code api_key}: {@code header} or {@code query}
 * @param name
 *            for {@code api_key}: the header or query parameter name
 * @param tokenUrl
 *            for OAuth 2: the token endpoint
 * @param authorizationUrl
 *            for the authorization code: where the user is sent to consent
 * @param scopes
 *            for OAuth 2: the scopes asked for
 * @param clientId
 *            for the authorization code: the integration's OAuth client
 * @param clientSecret
 *            for the authorization code: given when written, then kept sealed apart and never shown
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuthScheme(String type, String in, String name, String tokenUrl, String authorizationUrl,
        List<String> scopes, String clientId, String clientSecret) {

    public static final String CLIENT_CREDENTIALS = "oauth2_client_credentials";
    public static final String AUTHORIZATION_CODE = "oauth2_authorization_code";
    public static final AuthScheme NONE = new AuthScheme("none", null, null, null, null, null, null, null);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,200}");
    private static final List<String> TYPES = List.of("none", "api_key", "bearer", "basic", CLIENT_CREDENTIALS,
            AUTHORIZATION_CODE);

    /** A scheme of this type with nothing else set. */
    public static AuthScheme of(String type) {
        return new AuthScheme(type, null, null, null, null, null, null, null);
    }

    public boolean needsAccount() {
        return !"none".equals(type);
    }

    public boolean oauth2() {
        return CLIENT_CREDENTIALS.equals(type) || AUTHORIZATION_CODE.equals(type);
    }

    /** The scheme as stored and shown: without the client secret. */
    public AuthScheme withoutSecret() {
        return new AuthScheme(type, in, name, tokenUrl, authorizationUrl, scopes, clientId, null);
    }

    /** The scheme as given, checked; {@link #NONE} when absent. */
    public static AuthScheme checked(AuthScheme given, String pointer) {
        if (given == null) {
            return NONE;
        }
        if (given.type() == null || !TYPES.contains(given.type())) {
            throw new Invalid("invalid_auth", "auth.type is one of " + TYPES, pointer + "/type");
        }
        if (given.type().equals(CLIENT_CREDENTIALS) || given.type().equals(AUTHORIZATION_CODE)) {
            return checkedOAuth2(given, pointer);
        }
        if (!given.type().equals("api_key")) {
            return new AuthScheme(given.type(), null, null, null, null, null, null, null);
        }
        String in = given.in() == null ? "header" : given.in();
        if (!in.equals("header") && !in.equals("query")) {
            throw new Invalid("invalid_auth", "auth.in is header or query", pointer + "/in");
        }
        if (given.name() == null || !NAME.matcher(given.name()).matches()) {
            throw new Invalid("invalid_auth", "auth.name is the header or parameter name (" + NAME.pattern() + ")",
                    pointer + "/name");
        }
        String reserved = in.equals("header") ? HttpValues.settableHeaderNameProblem(given.name()) : null;
        if (reserved != null) {
            throw new Invalid("invalid_auth", reserved, pointer + "/name");
        }
        return new AuthScheme("api_key", in, given.name(), null, null, null, null, null);
    }

    private static AuthScheme checkedOAuth2(AuthScheme given, String pointer) {
        if (!HttpUrls.valid(given.tokenUrl(), true)) {
            throw new Invalid("invalid_auth", "auth.tokenUrl is an absolute http(s) URL", pointer + "/tokenUrl");
        }
        List<String> scopes = given.scopes() == null ? List.of() : given.scopes();
        if (scopes.size() > 50 || scopes.stream().anyMatch(s -> s == null || !SCOPE.matcher(s).matches())) {
            throw new Invalid("invalid_auth", "auth.scopes holds at most 50 scope tokens (RFC 6749 3.3)",
                    pointer + "/scopes");
        }
        if (given.type().equals(CLIENT_CREDENTIALS)) {
            // each connected account brings its own client id and secret
            return new AuthScheme(CLIENT_CREDENTIALS, null, null, given.tokenUrl(), null, scopes, null, null);
        }
        if (!HttpUrls.valid(given.authorizationUrl(), true)) {
            throw new Invalid("invalid_auth", "auth.authorizationUrl is an absolute http(s) URL",
                    pointer + "/authorizationUrl");
        }
        if (given.clientId() == null || given.clientId().isBlank() || given.clientId().length() > 512) {
            throw new Invalid("invalid_auth", "auth.clientId is required (1-512 characters)", pointer + "/clientId");
        }
        if (given.clientSecret() == null || given.clientSecret().isEmpty() || given.clientSecret().length() > 4096) {
            throw new Invalid("invalid_auth", "auth.clientSecret is required (1-4096 characters)",
                    pointer + "/clientSecret");
        }
        return new AuthScheme(AUTHORIZATION_CODE, null, null, given.tokenUrl(), given.authorizationUrl(), scopes,
                given.clientId(), given.clientSecret());
    }

    /** The fields a connected account's credentials must have under this scheme. */
    public List<String> credentialFields() {
        return switch (type) {
        case "api_key" -> List.of("apiKey");
        case "bearer" -> List.of("token");
        case "basic" -> List.of("username", "password");
        case CLIENT_CREDENTIALS -> List.of("clientId", "clientSecret");
        case AUTHORIZATION_CODE -> List.of("accessToken");
        default -> List.of();
        };
    }

    /**
     * 422s for credentials that do not fit the scheme: each field a non-empty string of at most 8 KB without control
     * characters, and a value sent as it is in a header (an API key in a header, a token) a valid header value.
     */
    public void credentialProblems(JsonNode credentials, String pointer, List<Problem> errors) {
        if (credentials == null || !credentials.isObject()) {
            errors.add(
                    Problem.at("invalid_credentials", "credentials is an object with " + credentialFields(), pointer));
            return;
        }
        for (String field : credentialFields()) {
            JsonNode value = credentials.get(field);
            if (value == null || !value.isTextual() || value.asText().isEmpty() || value.asText().length() > 8192) {
                errors.add(Problem.at("invalid_credentials",
                        field + " is required for " + type + " (a string of 1 to 8192 characters)",
                        pointer + "/" + field));
                continue;
            }
            String problem = sentAsHeader(field) ? HttpValues.headerValueProblem(value.asText())
                    : HttpValues.queryValueProblem(value.asText());
            if (problem == null && "basic".equals(type) && "username".equals(field) && value.asText().contains(":")) {
                problem = "a basic username may not contain a colon (RFC 7617)";
            }
            if (problem != null) {
                errors.add(Problem.at("invalid_credentials", problem, pointer + "/" + field));
            }
        }
    }

    /** Whether a credential field travels as it is in a header (the others are encoded or sent in a form). */
    private boolean sentAsHeader(String field) {
        return switch (field) {
        case "apiKey" -> !"query".equals(in);
        case "token", "accessToken" -> true;
        default -> false;
        };
    }

    /** One pass-through entry that puts the credentials where this scheme says, for the integration. */
    public Map<String, Object> passThrough(String integrationKey, JsonNode credentials) {
        if (oauth2()) {
            return Map.of("customerIntegrationId", integrationKey, "headers",
                    Map.of("Authorization", "Bearer " + credentials.get("accessToken").asText()));
        }
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

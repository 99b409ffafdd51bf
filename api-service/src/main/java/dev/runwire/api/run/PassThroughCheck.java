package dev.runwire.api.run;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.api.error.Problem;
import dev.runwire.model.http.HttpValues;

/**
 * Checks the shape of {@code passThrough}: an array of {@code {customerIntegrationId?, headers?, query?, values?}} with
 * string values (header names are tokens; header and query values hold no CR, LF, NUL or other control character);
 * {@code values} (which needs a {@code customerIntegrationId}) is one of the runs API's provider credentials: AWS
 * temporary credentials, an AWS role to assume, or an Okta service app. Errors name where, never what (the values are
 * secrets).
 */
final class PassThroughCheck {

    private static final Set<String> FIELDS = Set.of("customerIntegrationId", "headers", "query", "values");

    /** Each kind of provider credentials: its required fields, then its optional ones. */
    private static final Map<String, List<List<String>>> KINDS = Map.of("AWS temporary credentials",
            List.of(List.of("accessKeyId", "secretAccessKey", "sessionToken"), List.of("region", "service")),
            "an AWS role", List.of(List.of("roleArn", "externalId"), List.of("region", "service")),
            "an Okta service app",
            List.of(List.of("clientId", "kid", "privateKey", "oauthTokenUrl", "scope"), List.of("host")));
    private static final int MAX_ENTRIES = 32;

    private PassThroughCheck() {
    }

    static void check(JsonNode passThrough, List<Problem> errors) {
        if (passThrough == null || passThrough.isNull()) {
            return;
        }
        if (!passThrough.isArray() || passThrough.size() > MAX_ENTRIES) {
            errors.add(Problem.at("invalid_pass_through",
                    "passThrough must be an array of at most " + MAX_ENTRIES + " objects", "/passThrough"));
            return;
        }
        for (int i = 0; i < passThrough.size(); i++) {
            JsonNode entry = passThrough.get(i);
            String at = "/passThrough/" + i;
            if (!entry.isObject()) {
                errors.add(Problem.at("invalid_pass_through", "each entry must be an object", at));
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = entry.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!FIELDS.contains(field.getKey())) {
                    errors.add(Problem.at("unsupported_pass_through",
                            "only customerIntegrationId, headers, query and values are supported",
                            at + "/" + field.getKey()));
                }
            }
            JsonNode id = entry.get("customerIntegrationId");
            if (id != null && !id.isNull() && !(id.isTextual()
                    && dev.runwire.api.integration.IntegrationResource.KEY.matcher(id.asText()).matches())) {
                errors.add(Problem.at("invalid_pass_through",
                        "customerIntegrationId is an integration key (a-z, 0-9, _ and -, at most 64)",
                        at + "/customerIntegrationId"));
            }
            stringMap(entry.get("headers"), at + "/headers", true, errors);
            stringMap(entry.get("query"), at + "/query", false, errors);
            JsonNode values = entry.get("values");
            if (values != null && !values.isNull()) {
                if (id == null || !id.isTextual()) {
                    errors.add(Problem.at("invalid_pass_through",
                            "values apply to one integration: give customerIntegrationId",
                            at + "/customerIntegrationId"));
                }
                values(values, at + "/values", errors);
            }
        }
    }

    /** Exactly one kind of provider credentials, each field a non-empty string. */
    private static void values(JsonNode values, String at, List<Problem> errors) {
        if (!values.isObject()) {
            errors.add(Problem.at("invalid_pass_through", "values must be an object", at));
            return;
        }
        List<String> matching = KINDS.entrySet().stream()
                .filter(kind -> kind.getValue().get(0).stream().allMatch(values::has)).map(Map.Entry::getKey).toList();
        if (matching.size() != 1) {
            errors.add(Problem.at("invalid_pass_through",
                    "values are exactly one of: AWS temporary credentials (accessKeyId, secretAccessKey, sessionToken), "
                            + "an AWS role (roleArn, externalId) or an Okta service app (clientId, kid, privateKey, "
                            + "oauthTokenUrl, scope)",
                    at));
            return;
        }
        List<List<String>> fields = KINDS.get(matching.get(0));
        values.fields().forEachRemaining(field -> {
            String pointer = at + "/" + field.getKey().replace("~", "~0").replace("/", "~1");
            if (!fields.get(0).contains(field.getKey()) && !fields.get(1).contains(field.getKey())) {
                errors.add(
                        Problem.at("invalid_pass_through", "not a field of " + matching.get(0) + " values", pointer));
            } else if (!field.getValue().isTextual() || field.getValue().asText().isEmpty()
                    || field.getValue().asText().length() > 16_384) {
                errors.add(Problem.at("invalid_pass_through", "must be a string of 1-16384 characters", pointer));
            } else {
                String problem = valueProblem(field.getKey(), field.getValue().asText());
                if (problem != null) {
                    errors.add(Problem.at("invalid_pass_through", problem, pointer));
                }
            }
        });
    }

    /**
     * Provider credentials end up in headers (AWS keys and session tokens, the signature's region and service), in
     * token requests and in URLs: none may hold a control character, except a PEM private key's line breaks.
     */
    private static String valueProblem(String field, String value) {
        if (field.equals("privateKey")) {
            return null;
        }
        if (field.equals("oauthTokenUrl")) {
            return HttpValues.urlProblem(value, true);
        }
        return HttpValues.headerValueProblem(value);
    }

    /** Strings that will be sent as header or query names and values: checked now, so the executor never meets them. */
    private static void stringMap(JsonNode node, String at, boolean headers, List<Problem> errors) {
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            errors.add(Problem.at("invalid_pass_through", "must be an object of strings", at));
            return;
        }
        node.fields().forEachRemaining(field -> {
            String pointer = at + "/" + field.getKey().replace("~", "~0").replace("/", "~1");
            if (!field.getValue().isTextual()) {
                errors.add(Problem.at("invalid_pass_through", "values must be strings", pointer));
                return;
            }
            String name = headers ? HttpValues.settableHeaderNameProblem(field.getKey())
                    : HttpValues.queryNameProblem(field.getKey());
            String value = headers ? HttpValues.headerValueProblem(field.getValue().asText())
                    : HttpValues.queryValueProblem(field.getValue().asText());
            if (name != null || value != null) {
                errors.add(
                        Problem.at(headers ? "invalid_header" : "invalid_query", name != null ? name : value, pointer));
            }
        });
    }
}

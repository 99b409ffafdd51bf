package dev.runwire.api.error;

import java.util.List;
import java.util.Locale;

/**
 * talkover's agents: {@code {success: false, message, code}} with upper-case codes: its API's {@code INVALID_TOKEN}
 * (401, "Unauthenticated."), {@code UNAUTHORIZED} (403) and {@code SERVER_ERROR} (5xx); a feature's upper-case code
 * kept; {@code VALIDATION_ERROR} for any other 400/422; otherwise the JSON:API code upper-cased. Where in the request
 * is said in the message.
 */
final class TalkoverRenderer implements ErrorRenderer {

    /** talkover's failure envelope. */
    public record Failure(boolean success, String message, String code) {
    }

    @Override
    public Rendered render(int status, List<ErrorObject> errors) {
        String message = switch (status) {
        case 401 -> "Unauthenticated.";
        case 500 -> "Internal server error.";
        default -> Messages.of(errors, false);
        };
        return new Rendered(status, new Failure(false, message, code(status, errors.get(0).code())));
    }

    private static String code(int status, String code) {
        boolean upper = code != null && code.equals(code.toUpperCase(Locale.ROOT)) && !code.isBlank();
        if (status == 401) {
            return "INVALID_TOKEN";
        }
        if (status == 403) {
            return "UNAUTHORIZED";
        }
        if (status >= 500) {
            return "SERVER_ERROR";
        }
        if (upper) {
            return code;
        }
        if (status == 400 || status == 422) {
            return "VALIDATION_ERROR";
        }
        return code == null ? "ERROR" : code.toUpperCase(Locale.ROOT);
    }
}

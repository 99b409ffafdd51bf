package dev.runwire.api.error;

import dev.runwire.api.error.RunwireException.Malformed;
import dev.runwire.api.error.RunwireException.NotFound;

/** Parameters read the same way on every endpoint: query parameters (400 naming them) and ids in paths (404). */
public final class QueryParams {

    private QueryParams() {
    }

    /** A whole-number query parameter within bounds; 400 naming the parameter otherwise. */
    public static int bounded(String value, String name, int fallback, int max) {
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= 1 && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Malformed(name + " is a whole number from 1 to " + max, ErrorObject.Source.parameter(name));
    }

    /** A boolean query parameter ({@code true} or {@code false}); 400 naming the parameter otherwise. */
    public static boolean flag(String value, String name) {
        if (value == null || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        throw new Malformed(name + " is true or false", ErrorObject.Source.parameter(name));
    }

    /** An id in a path: a UUID, or 404 for {@code what} (an id that cannot exist is not found, not malformed). */
    public static java.util.UUID id(String value, String what) {
        try {
            return java.util.UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new NotFound("no " + what + " with id " + value);
        }
    }
}

package dev.runwire.model.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The one check of everything that becomes part of an outgoing HTTP request: header names and values, query names and
 * values, path templates, URLs. The api-service runs it when a value is accepted (a 422 with a pointer), the executor
 * again before it sends (the run fails, never the consumer). Each method answers {@code null} when the value is fine,
 * or what is wrong in words that never quote the value (it may be a secret).
 */
public final class HttpValues {

    /** The longest header or query name accepted. */
    public static final int MAX_NAME_LENGTH = 256;
    /** The longest header or query value accepted. */
    public static final int MAX_VALUE_LENGTH = 16_384;
    /** The longest path template or URL accepted. */
    public static final int MAX_URL_LENGTH = 2048;

    /** A placeholder in a request template: {@code {name}}, a JSON pointer into the input without its slash. */
    public static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]+)}");

    /**
     * Headers that frame the message or pick the connection: Runwire sets them itself, and a value given for them could
     * desynchronise the request from its body.
     */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect");

    /** What may stand literally in a path template: RFC 3986 pchar and "/", percent escapes, placeholders. */
    private static final Pattern PATH_TEMPLATE = Pattern
            .compile("/(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2}|\\{[^{}]+})*");

    private HttpValues() {
    }

    /**
     * Whether a string is an RFC 7230 token (a header name): one or more of {@code !#$%&'*+-.^_`|~}, digits, letters.
     */
    public static boolean isToken(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alnum = c < 128 && Character.isLetterOrDigit(c);
            if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** A header name: a token of at most {@value #MAX_NAME_LENGTH} characters. */
    public static String headerNameProblem(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return "a header name has 1 to " + MAX_NAME_LENGTH + " characters";
        }
        if (!isToken(name)) {
            return "a header name is a token (letters, digits and !#$%&'*+-.^_`|~ only)";
        }
        return null;
    }

    /** A header name a client may set: {@link #headerNameProblem} and none of the headers Runwire manages. */
    public static String settableHeaderNameProblem(String name) {
        String problem = headerNameProblem(name);
        if (problem == null && RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            return "the header " + name + " is set by Runwire, not by a request";
        }
        return problem;
    }

    /**
     * A header value (RFC 7230 field-value): visible characters, spaces, tabs and ISO-8859-1 letters; no CR, LF, NUL or
     * other control character, nothing beyond U+00FF (a header carries octets), at most {@value #MAX_VALUE_LENGTH}
     * characters.
     */
    public static String headerValueProblem(String value) {
        if (value == null) {
            return "a header value is a string";
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            return "a header value has at most " + MAX_VALUE_LENGTH + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\t' && (c < 0x20 || c == 0x7f)) {
                return "a header value may not contain CR, LF, NUL or other control characters";
            }
            if (c > 0xff) {
                return "a header value holds characters up to U+00FF only (percent-encode others)";
            }
        }
        return null;
    }

    /** A query parameter name: 1 to {@value #MAX_NAME_LENGTH} characters, no control character. */
    public static String queryNameProblem(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return "a query parameter name has 1 to " + MAX_NAME_LENGTH + " characters";
        }
        return controlCharacter(name) ? "a query parameter name may not contain control characters" : null;
    }

    /**
     * A query parameter value: at most {@value #MAX_VALUE_LENGTH} characters, no control character (it is
     * percent-encoded when sent, but a control character in a configured value is a mistake, never a meaning).
     */
    public static String queryValueProblem(String value) {
        if (value == null) {
            return "a query parameter value is a string";
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            return "a query parameter value has at most " + MAX_VALUE_LENGTH + " characters";
        }
        return controlCharacter(value) ? "a query parameter value may not contain control characters" : null;
    }

    /**
     * A path template: starts with {@code /}, at most {@value #MAX_URL_LENGTH} characters, RFC 3986 path characters,
     * percent escapes and {@code {placeholder}}s only (no space, control character, {@code ?} or {@code #}: the query
     * has its own templates).
     */
    public static String pathTemplateProblem(String template) {
        if (template == null || !template.startsWith("/") || template.length() > MAX_URL_LENGTH) {
            return "a path starts with / and has at most " + MAX_URL_LENGTH + " characters";
        }
        if (!PATH_TEMPLATE.matcher(template).matches()) {
            return "a path holds RFC 3986 path characters, %XX escapes and {placeholders} only "
                    + "(no spaces, control characters, ? or #)";
        }
        return null;
    }

    /**
     * An absolute http(s) URL with a host, at most {@value #MAX_URL_LENGTH} characters, no fragment, no control
     * character.
     *
     * @param queryAllowed
     *            false for base URLs that request templates extend with a path
     */
    public static String urlProblem(String url, boolean queryAllowed) {
        if (url == null || url.isEmpty() || url.length() > MAX_URL_LENGTH) {
            return "a URL has 1 to " + MAX_URL_LENGTH + " characters";
        }
        if (controlCharacter(url)) {
            return "a URL may not contain control characters";
        }
        try {
            URI uri = new URI(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                return "a URL is absolute http(s) with a host";
            }
            if (uri.getRawFragment() != null || (!queryAllowed && uri.getRawQuery() != null)) {
                return queryAllowed ? "a URL has no fragment" : "a base URL has no query and no fragment";
            }
            return null;
        } catch (URISyntaxException e) {
            return "not a valid URL";
        }
    }

    /** A problem found in a rendered value: where it came from in the input (a JSON pointer) and what is wrong. */
    public record Problem(String pointer, String detail) {
    }

    /**
     * The input values that header templates would put into headers, checked as header values: for each placeholder of
     * each template, the input's value at its pointer as the template renders it (a string as it is, any other value as
     * JSON). Absent values are no problem (the header is left out).
     *
     * @return problems with pointers relative to the input ({@code /name})
     */
    public static List<Problem> renderedHeaderProblems(Map<String, String> headerTemplates, JsonNode input) {
        List<Problem> problems = new ArrayList<>();
        if (headerTemplates == null || input == null) {
            return problems;
        }
        headerTemplates.forEach((name, template) -> {
            if (template == null) {
                return;
            }
            Matcher matcher = PLACEHOLDER.matcher(template);
            while (matcher.find()) {
                String pointer = "/" + matcher.group(1);
                JsonNode value;
                try {
                    value = input.at(pointer);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (value.isMissingNode() || value.isNull()) {
                    continue;
                }
                String problem = headerValueProblem(value.isValueNode() ? value.asText() : value.toString());
                if (problem != null) {
                    problems.add(new Problem(pointer, "this value becomes the header " + name + ": " + problem));
                }
            }
        });
        return problems;
    }

    private static boolean controlCharacter(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }
}

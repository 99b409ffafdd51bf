package dev.runwire.model.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

class HttpValuesTest {

    @ParameterizedTest
    @ValueSource(strings = { "X-Api-Key", "authorization", "x_a.b~c!#$%&'*+^`|", "A1" })
    void tokensAreHeaderNames(String name) {
        assertTrue(HttpValues.isToken(name));
        assertNull(HttpValues.headerNameProblem(name));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "X Api", "X-Api:", "X\r\nInjected", "X\u0000", "Ä", "a(b)", "a/b", "a\"b", "a{b}",
            "a\tb" })
    void anythingElseIsNoHeaderName(String name) {
        assertFalse(HttpValues.isToken(name));
        assertNotNull(HttpValues.headerNameProblem(name));
    }

    @Test
    void headerNamesHaveALengthLimitAndRunwiresOwnAreNotSettable() {
        assertNotNull(HttpValues.headerNameProblem("x".repeat(HttpValues.MAX_NAME_LENGTH + 1)));
        for (String name : List.of("Host", "content-length", "Transfer-Encoding", "Connection", "Upgrade", "TE")) {
            assertNull(HttpValues.headerNameProblem(name));
            assertNotNull(HttpValues.settableHeaderNameProblem(name), name);
        }
        assertNull(HttpValues.settableHeaderNameProblem("Authorization"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "v\r\nX-Injected: 1", "v\n", "v\r", "a\u0000b", "a\u000bb", "a\u007fb", "a\u001bb",
            "\u20ac" })
    void controlCharactersAndWideCharactersAreNoHeaderValue(String value) {
        assertNotNull(HttpValues.headerValueProblem(value));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "Bearer abc.def", "a\tb", "caf\u00e9", "  spaced  ", "{\"json\":[1,2]}" })
    void visibleTextTabsAndLatin1AreHeaderValues(String value) {
        assertNull(HttpValues.headerValueProblem(value));
    }

    @Test
    void problemsNeverQuoteTheValue() {
        String secret = "sk_live_secret\r\n";
        assertFalse(HttpValues.headerValueProblem(secret).contains("sk_live"));
        assertNotNull(HttpValues.headerValueProblem("x".repeat(HttpValues.MAX_VALUE_LENGTH + 1)));
    }

    @Test
    void queryNamesAndValuesRefuseControlCharacters() {
        assertNull(HttpValues.queryNameProblem("q"));
        assertNull(HttpValues.queryValueProblem("a b&c=d/\u00e9\u20ac"));
        assertNotNull(HttpValues.queryNameProblem(""));
        assertNotNull(HttpValues.queryNameProblem("a\nb"));
        assertNotNull(HttpValues.queryValueProblem("a\u0000"));
        assertNotNull(HttpValues.queryValueProblem("a\r\nb"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/", "/users/{id}", "/a/{b/c}/d%20e", "/v1/items:batchGet", "/x;y=1/@me~" })
    void pathTemplates(String path) {
        assertNull(HttpValues.pathTemplateProblem(path));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "users", "/a b", "/a\r\nHost: x", "/a?b=1", "/a#f", "/a%2", "/a/{b", "/a\u0000",
            "/\u00e9" })
    void badPathTemplates(String path) {
        assertNotNull(HttpValues.pathTemplateProblem(path));
    }

    @Test
    void urls() {
        assertNull(HttpValues.urlProblem("https://api.example.com/v1", false));
        assertNull(HttpValues.urlProblem("https://api.example.com/cb?x=1", true));
        assertNotNull(HttpValues.urlProblem("https://api.example.com/cb?x=1", false));
        assertNotNull(HttpValues.urlProblem("https://api.example.com/#f", true));
        assertNotNull(HttpValues.urlProblem("ftp://api.example.com/", true));
        assertNotNull(HttpValues.urlProblem("/relative", true));
        assertNotNull(HttpValues.urlProblem("https://api.example.com/\r\n", true));
        assertNotNull(HttpValues.urlProblem("https://" + "a".repeat(2048), true));
    }

    @Test
    void renderedHeaderValuesAreCheckedWherePlaceholdersTakeThem() throws Exception {
        Map<String, String> templates = new LinkedHashMap<>();
        templates.put("X-Tenant", "t-{tenant}");
        templates.put("X-Trace", "{meta/trace}");
        templates.put("X-Absent", "{nothing}");
        var input = new ObjectMapper()
                .readTree("{\"tenant\":\"a\\r\\nX-Injected: 1\",\"meta\":{\"trace\":\"ok\"},\"other\":\"\\u0000\"}");
        List<HttpValues.Problem> problems = HttpValues.renderedHeaderProblems(templates, input);
        assertEquals(1, problems.size());
        assertEquals("/tenant", problems.get(0).pointer());
        assertTrue(problems.get(0).detail().contains("X-Tenant"));

        var nested = new ObjectMapper().readTree("{\"meta\":{\"trace\":{\"deep\":\"a\\nb\"}}}");
        // a container renders as JSON, where the line break is escaped
        assertTrue(HttpValues.renderedHeaderProblems(templates, nested).isEmpty());
        assertTrue(HttpValues.renderedHeaderProblems(null, input).isEmpty());
    }
}

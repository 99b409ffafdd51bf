package dev.runwire.system.surface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.restassured.RestAssured;

import dev.runwire.model.json.Json;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.SystemUnderTest.Owner;
import dev.runwire.system.support.Tools;

/**
 * The served OpenAPI document stays usable: Redocly's linter (recommended rules, stricter where {@code redocly.yaml}
 * says so) finds no error and no warning in it, and it describes every route the README lists. The linter is an npm
 * package, installed at a pinned version into {@code .runwire/tools} (git-ignored) on first use: the build needs
 * Node.js 20.19 or later and npm, nothing else (ADR 0036).
 */
class OpenApiLintIT {

    /** The pinned linter; a newer one may bring new rules, so a change of version is a change of this file. */
    static final String REDOCLY = "@redocly/cli@2.77.0";

    @SharedApi
    static ServiceProcess api;
    @NewOwner
    static Owner owner;

    static JsonNode document;
    static Path file;

    @BeforeAll
    static void fetch() throws IOException {
        String text = RestAssured.get(api.url() + "/q/openapi?format=json").then().statusCode(200).extract().asString();
        document = Json.tree(text);
        file = ServiceProcess.ROOT.resolve("system-tests/target/openapi.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /**
     * Swagger UI's Try it out, driven in headless Chromium as a person would: 401 before Authorize, 200 after it with
     * the key sent in {@code x-api-key} ({@code system-tests/swagger/try-it-out.mjs}).
     */
    @Test
    void swaggerUisTryItOutWorksWithAKey() throws Exception {
        Path chromium = Tools.chromium();
        Path playwright = Tools.playwright();
        Path out = ServiceProcess.ROOT.resolve("system-tests/target/try-it-out.out");
        ProcessBuilder builder = new ProcessBuilder("node",
                ServiceProcess.ROOT.resolve("system-tests/swagger/try-it-out.mjs").toString(), api.url(),
                owner.apiKey()).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("CHROMIUM", chromium.toString());
        builder.environment().put("PLAYWRIGHT", playwright.toString());
        Process node = builder.start();
        assertTrue(node.waitFor(2, TimeUnit.MINUTES), "try-it-out.mjs did not end within 2 minutes");
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        System.out.print(printed);
        assertEquals(0, node.exitValue(), printed);
        assertTrue(printed.contains("before Authorize: 401") && printed.contains("after Authorize: 200"), printed);
    }

    @Test
    void theDocumentLintsClean() throws Exception {
        Path linter = install();
        Path output = ServiceProcess.ROOT.resolve("system-tests/target/openapi-lint.json");
        ProcessBuilder builder = new ProcessBuilder(linter.toString(), "lint", "--format=json", "--max-problems=1000",
                "--config", ServiceProcess.ROOT.resolve("system-tests/redocly.yaml").toString(), file.toString())
                        .redirectOutput(output.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        // no usage reports and no update check: the build talks to no one but the service under test
        builder.environment().put("REDOCLY_TELEMETRY", "off");
        builder.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
        Process lint = builder.start();
        assertTrue(lint.waitFor(3, TimeUnit.MINUTES), "redocly lint did not end within 3 minutes");
        JsonNode result = Json.tree(Files.readString(output));
        List<String> problems = new ArrayList<>();
        result.path("problems").forEach(p -> problems.add(p.path("severity").asText() + " " + p.path("ruleId").asText()
                + " at " + p.path("location").path(0).path("pointer").asText() + ": " + p.path("message").asText()));
        System.out.println("redocly lint of the served document: " + result.path("totals"));
        assertEquals(0, result.path("totals").path("errors").asInt(-1), String.join("\n", problems));
        assertEquals(0, result.path("totals").path("warnings").asInt(-1), String.join("\n", problems));
    }

    /** Every {@code METHOD /path} the README's endpoint tables name (path parameters by position) is described. */
    @Test
    void everyRouteTheReadmeListsIsDescribed() throws IOException {
        TreeSet<String> described = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(
                    method -> described.add(method.toUpperCase(Locale.ROOT) + " " + shape(path.getKey())));
        }
        TreeSet<String> listed = new TreeSet<>();
        Matcher route = Pattern
                .compile("`((?:GET|POST|PUT|PATCH|DELETE)(?:/(?:GET|POST|PUT|PATCH|DELETE))*) (/[^ `?]*)")
                .matcher(Files.readString(ServiceProcess.ROOT.resolve("README.md")));
        while (route.find()) {
            for (String method : route.group(1).split("/")) {
                listed.add(method + " " + shape(route.group(2)));
            }
        }
        assertTrue(listed.size() >= 40, "the README's endpoint tables were not read: " + listed);
        // the MCP endpoint is left out of the document on purpose: its body and answers are JSON-RPC (ADR 0034)
        listed.remove("POST /mcp/{}");
        listed.removeAll(described);
        assertTrue(listed.isEmpty(), "routes the README lists that the served document does not describe: " + listed);
    }

    /** A path with its parameters unnamed: the README says {agent_id} where the code says {agentId}. */
    static String shape(String path) {
        return path.replaceAll("\\{[^}]*}", "{}");
    }

    /** The linter's executable, installed with npm into the checkout's git-ignored tools folder if not there yet. */
    static Path install() throws Exception {
        return Tools.npm(REDOCLY, "node_modules/.bin/redocly").resolve("node_modules/.bin/redocly");
    }
}

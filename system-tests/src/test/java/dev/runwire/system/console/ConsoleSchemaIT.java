package dev.runwire.system.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.json.Json;
import dev.runwire.system.support.ServiceProcess;

/**
 * The console's own draft-7 checker ({@code console/schema.js}, which refuses an edited input before it is sent) agrees
 * with the official JSON-Schema-Test-Suite on every draft-7 case whose schema uses only the keywords it checks
 * ({@code system-tests/console/schema-suite.mjs}, run by Node.js; no browser needed).
 */
class ConsoleSchemaIT {

    @Test
    void theBrowsersCheckerAgreesWithTheSuiteOnTheKeywordsItChecks() throws Exception {
        Path checker = ServiceProcess.ROOT
                .resolve("api-service/src/main/resources/META-INF/resources/console/schema.js");
        Path suite = ServiceProcess.ROOT.resolve("../shared/conformance/json-schema-test-suite/tests/draft7")
                .normalize();
        assertTrue(Files.isDirectory(suite), "the conformance suite beside the project: " + suite);
        Path out = ServiceProcess.ROOT.resolve("system-tests/target/schema-suite.out");
        Files.createDirectories(out.getParent());
        Process node = new ProcessBuilder("node",
                ServiceProcess.ROOT.resolve("system-tests/console/schema-suite.mjs").toString(), checker.toString(),
                suite.toString()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(node.waitFor(1, TimeUnit.MINUTES), "schema-suite.mjs did not end within a minute");
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        String last = lines.isEmpty() ? "{}" : lines.get(lines.size() - 1);
        JsonNode result = Json.tree(last);
        System.out.println("console schema checker against the draft-7 suite: " + last);
        assertTrue(result.path("run").asInt() >= 500, "most keyword cases run: " + String.join("\n", lines));
        assertEquals(0, result.path("wrong").size(), "disagreements with the suite: " + last);
        assertEquals(0, node.exitValue(), last);
    }
}

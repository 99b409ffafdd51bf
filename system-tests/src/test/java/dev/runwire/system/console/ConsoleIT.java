package dev.runwire.system.console;

import static dev.runwire.system.support.Plans.create;
import static dev.runwire.system.support.Plans.finished;
import static dev.runwire.system.support.Plans.runBody;
import static dev.runwire.system.support.Plans.step;
import static dev.runwire.system.support.SystemUnderTest.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.restassured.path.json.JsonPath;

import dev.runwire.model.json.Json;
import dev.runwire.system.support.NewOwner;
import dev.runwire.system.support.NewStub;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.SharedApi;
import dev.runwire.system.support.Stub;
import dev.runwire.system.support.SystemUnderTest.Owner;
import dev.runwire.system.support.Tools;

/**
 * The console in a real headless Chromium against the real system: sign in; a plan run started through the API turns
 * green on its page as its events arrive; the live stream dropped twice resumes with every event once; abort from the
 * page; approve, deny and approve with an edited input; another owner's run is "not found". The browser is driven by
 * {@code system-tests/console/console.mjs} (Playwright's playwright-core, pinned, installed into .runwire/tools);
 * screenshots land in system-tests/target/console (docs/adr/0038-console.md).
 */
class ConsoleIT {

    /** Pinned: a new version may drive the browser differently, so a change of version is a change of this file. */
    static final String PLAYWRIGHT = "playwright-core@1.65.1";

    @SharedApi
    static ServiceProcess api;
    @NewStub
    static Stub stub;
    @NewOwner(actions = { "fast", "slow", "stuck" })
    static Owner owner;
    @NewOwner(actions = { "fast" })
    static Owner other;

    static Map<String, Object> approvalBody(String strategy, String input) {
        Map<String, Object> body = runBody(List.of(step("A", "fast", List.of(), Map.of("id", input))));
        body.put("approvalStrategy", strategy);
        return body;
    }

    static void paused(String runId) {
        Awaitility.await("run " + runId + " paused").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "PAUSED".equals(as(api, owner.apiKey()).get("/v1/runs/" + runId).then().statusCode(200)
                        .extract().path("status")));
    }

    static List<Long> seqs(JsonNode array) {
        List<Long> seqs = new ArrayList<>();
        array.forEach(n -> seqs.add(n.asLong()));
        return seqs;
    }

    /** The run's events as the API has them: the timeline must show exactly these sequences, in order. */
    static List<Long> eventSeqs(JsonPath run) {
        return run.getList("events.seq", Long.class);
    }

    @Test
    void thePagesWorkInARealBrowser() throws Exception {
        Path chromium = Tools.chromium();
        Path playwright = Tools.npm(PLAYWRIGHT, "node_modules/playwright-core/package.json")
                .resolve("node_modules/playwright-core");
        stub.on("/fast/", 200, "{\"id\":\"fast-out\",\"price\":1}", 0);
        stub.on("/slow/", 200, "{\"id\":\"slow-out\",\"price\":2}", 1500);
        stub.on("/stuck/", 200, "{\"id\":\"stuck-out\",\"price\":3}", 60_000);

        String approve = create(api, owner.apiKey(), approvalBody("ON_START", "approve-me"));
        String deny = create(api, owner.apiKey(), approvalBody("ON_START", "deny-me"));
        String edit = create(api, owner.apiKey(), approvalBody("ON_TOOL_CALL", "original"));
        String foreign = create(api, other.apiKey(), approvalBody("ON_START", "foreign"));
        for (String run : List.of(approve, deny, edit)) {
            paused(run);
        }

        Path shots = ServiceProcess.ROOT.resolve("system-tests/target/console");
        Files.createDirectories(shots);
        Path output = shots.resolve("console-mjs.out");
        ProcessBuilder builder = new ProcessBuilder("node",
                ServiceProcess.ROOT.resolve("system-tests/console/console.mjs").toString())
                        .redirectOutput(output.toFile())
                        .redirectError(ProcessBuilder.Redirect.appendTo(shots.resolve("console-mjs.err").toFile()));
        Map<String, String> env = builder.environment();
        env.put("BASE", api.url());
        env.put("API_KEY", owner.apiKey());
        env.put("PLAYWRIGHT", playwright.toString());
        env.put("CHROMIUM", chromium.toString());
        env.put("SHOTS", shots.toString());
        env.put("LIVE_BODY",
                Json.write(runBody(List.of(step("A", "slow", List.of(), Map.of("id", "live-a")),
                        step("B", "slow", List.of("A"), Map.of("id", "live-b")),
                        step("C", "slow", List.of("B"), Map.of("id", "live-c"))))));
        List<Map<String, Object>> chain = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            chain.add(step("S" + i, "slow", i == 1 ? List.of() : List.of("S" + (i - 1)), Map.of("id", "drop-" + i)));
        }
        env.put("DROP_BODY", Json.write(runBody(chain)));
        env.put("ABORT_BODY", Json.write(runBody(List.of(step("A", "stuck", List.of(), Map.of("id", "abort-me"))))));
        env.put("APPROVE_RUN", approve);
        env.put("DENY_RUN", deny);
        env.put("EDIT_RUN", edit);
        env.put("FOREIGN_RUN", foreign);
        Process node = builder.start();
        assertTrue(node.waitFor(3, TimeUnit.MINUTES), "console.mjs did not end within 3 minutes");
        List<String> lines = Files.readAllLines(output);
        assertFalse(lines.isEmpty(), "console.mjs printed nothing; see " + shots.resolve("console-mjs.err"));
        JsonNode result = Json.tree(lines.get(lines.size() - 1));
        assertTrue(result.path("ok").asBoolean(), "the browser run failed after " + result.path("steps") + ": "
                + result.path("error").asText() + " (screenshots in " + shots + ")");

        // live: every step turned green on the page it was first opened on, and the timeline is the run's events
        JsonPath live = finished(api, owner.apiKey(), result.path("live").asText());
        assertEquals("SUCCESS", live.getString("status"));
        assertTrue(result.path("liveStepsAtFirst").asInt() < 3, "the page opened only after the run had ended");
        assertEquals(3, result.path("liveStepsSucceeded").asInt());
        assertTrue(result.path("liveNotReloaded").asBoolean(), "the page was reloaded");
        assertEquals(eventSeqs(live), seqs(result.path("liveTimeline")));

        // dropped twice: no event missing, none twice, in order; each reconnect resumed after the last shown event
        JsonPath dropped = finished(api, owner.apiKey(), result.path("dropped").asText());
        assertEquals("SUCCESS", dropped.getString("status"));
        List<Long> expected = eventSeqs(dropped);
        assertEquals(expected, seqs(result.path("droppedTimeline")));
        assertEquals(LongStream.rangeClosed(expected.get(0), expected.get(expected.size() - 1)).boxed().toList(),
                expected);
        JsonNode requests = result.path("droppedRequests");
        assertTrue(requests.size() >= 3, "two drops make at least three stream requests: " + requests);
        assertTrue(requests.get(0).path("lastEventId").isNull(), "the first request starts from the beginning");
        for (int i = 1; i < requests.size(); i++) {
            assertFalse(requests.get(i).path("lastEventId").isNull(), "a reconnect without Last-Event-ID: " + requests);
        }

        // abort: the run is canceled and its stuck call was not waited for
        assertEquals("CANCELED", finished(api, owner.apiKey(), result.path("aborted").asText()).getString("status"));

        // decisions took effect
        assertEquals("SUCCESS", finished(api, owner.apiKey(), approve).getString("status"));
        assertEquals(1, stub.receivedUnder("/fast/approve-me").size());
        JsonPath denied = finished(api, owner.apiKey(), deny);
        assertEquals("approval_denied", denied.getString("error.code"));
        assertTrue(stub.receivedUnder("/fast/deny-me").isEmpty());
        assertEquals("SUCCESS", finished(api, owner.apiKey(), edit).getString("status"));
        assertEquals(1, stub.receivedUnder("/fast/edited").size(), "the edited input was sent");
        assertTrue(stub.receivedUnder("/fast/original").isEmpty(), "the original input was not");

        // another owner's run: the page says not found and shows nothing of it; the run still waits
        assertTrue(result.path("foreignBody").asText().contains("Run not found"));
        assertFalse(result.path("foreignBody").asText().contains("foreign"));
        assertEquals("PAUSED",
                as(api, other.apiKey()).get("/v1/runs/" + foreign).then().statusCode(200).extract().path("status"));
    }
}

package dev.runwire.system.console;

import static dev.runwire.system.support.Plans.create;
import static dev.runwire.system.support.Plans.finished;
import static dev.runwire.system.support.Plans.runBody;
import static dev.runwire.system.support.Plans.step;
import static dev.runwire.system.support.SystemUnderTest.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
import dev.runwire.system.support.SystemUnderTest;
import dev.runwire.system.support.SystemUnderTest.Owner;
import dev.runwire.system.support.Talkover;
import dev.runwire.system.support.Tools;

/**
 * The console in a real headless Chromium against the real system: sign in; a plan run started through the API shows
 * its plan as a graph (stages and arrows from {@code dependsOnSteps}) that turns green as its events arrive, with each
 * step's input and output; repeat it; the live stream closed by the server twice resumes with every event once; abort
 * from the page; a failed callback redelivered from the page shows its new attempt; approve, deny, and approve with an
 * edited input, an invalid edit refused next to its fields with nothing sent; the registry shows the declarations and
 * never a credential; another owner's run is "not found" and nothing of that owner shows on any page. The browser is
 * driven by {@code system-tests/console/console.mjs} (Playwright's playwright-core, pinned, installed into
 * .runwire/tools), through a proxy of its own that closes the stream's connections on the server's side; screenshots
 * land in system-tests/target/console (docs/adr/0038-console.md).
 */
class ConsoleIT {

    /** Pinned: a new version may drive the browser differently, so a change of version is a change of this file. */

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

    /** An action whose input schema uses the keywords the console checks before sending an edited input. */
    static Map<String, Object> strictAction(String description, String sideEffects) {
        return Map.of("key", "strict", "intent", "Get an item, strictly", "description", description, "inputSchema",
                Map.of("type", "object", "properties",
                        Map.of("id", Map.of("type", "string", "minLength", 3, "pattern", "^[a-z-]+$"), "count",
                                Map.of("type", "integer", "minimum", 1)),
                        "required", List.of("id"), "additionalProperties", false),
                "useDefaultMapping", true, "type", "http", "http",
                Map.of("integrationKey", "stub", "method", "GET", "path", "/strict/{id}"), "timeoutMs", 20_000,
                "sideEffects", sideEffects);
    }

    static void paused(String runId) {
        Awaitility.await("run " + runId + " paused").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "PAUSED".equals(as(api, owner.apiKey()).get("/v1/runs/" + runId).then().statusCode(200)
                        .extract().path("status")));
    }

    static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(n -> strings.add(n.asText()));
        return strings;
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
        Path playwright = Tools.playwright();
        stub.on("/fast/", 200, "{\"id\":\"fast-out\",\"price\":1}", 0);
        stub.on("/slow/", 200, "{\"id\":\"slow-out\",\"price\":2}", 1500);
        stub.on("/stuck/", 200, "{\"id\":\"stuck-out\",\"price\":3}", 60_000);

        stub.on("/strict/", 200, "{\"id\":\"strict-out\",\"price\":4}", 0);
        stub.on("/hook/", 200, "{\"ok\":true}", 0);
        stub.once("/hook/console", 410, "{\"error\":\"gone for now\"}");

        // the registry: an action with two versions, an integration with a key scheme and an account holding a secret
        String secret = "sekret-console-" + java.util.UUID.randomUUID();
        as(api, owner.apiKey()).body(strictAction("first version", "none")).post("/v1/actions").then().statusCode(201);
        as(api, owner.apiKey()).body(strictAction("second version", "idempotent")).put("/v1/actions/strict").then()
                .statusCode(200).body("version", equalTo(2));
        as(api, owner.apiKey())
                .body(Map.of("key", "keyed", "name", "Keyed", "baseUrl", stub.baseUrl(), "auth",
                        Map.of("type", "api_key", "in", "header", "name", "X-Key")))
                .post("/v1/integrations").then().statusCode(201);
        as(api, owner.apiKey())
                .body(Map.of("integrationKey", "keyed", "userId", "u-console", "credentials", Map.of("apiKey", secret)))
                .post("/v1/connected-accounts").then().statusCode(201);
        // the other owner's things, which no page may show
        as(api, other.apiKey()).body(Map.of("key", "foreign-integration", "name", "Foreign", "baseUrl", stub.baseUrl()))
                .post("/v1/integrations").then().statusCode(201);

        String approve = create(api, owner.apiKey(), approvalBody("ON_START", "approve-me"));
        String deny = create(api, owner.apiKey(), approvalBody("ON_START", "deny-me"));
        Map<String, Object> editBody = runBody(
                List.of(step("A", "strict", List.of(), Map.of("id", "original", "count", 2))));
        editBody.put("approvalStrategy", "ON_TOOL_CALL");
        String edit = create(api, owner.apiKey(), editBody);
        String foreign = create(api, other.apiKey(), approvalBody("ON_START", "foreign"));
        for (String run : List.of(approve, deny, edit)) {
            paused(run);
        }
        // an action of the keyed integration, for whose run the script's user has no account; a run that waits for its
        // caller's result (a talkover transfer whose output schema the result must match)
        SystemUnderTest.action(api, owner.apiKey(), "keyedget", "keyed", "/keyed", 20_000);
        String agentId = Talkover.agent(api, owner);
        Map<String, Object> transfer = new HashMap<>(Talkover.action("Transfer Call", "transfer",
                List.of(Talkover.field("transfer_to", "string", "+1234567890")), null, "active"));
        transfer.put("config", Map.of("output_schema",
                Map.of("type", "object", "properties",
                        Map.of("answered", Map.of("type", "boolean"), "note", Map.of("type", "string", "minLength", 2)),
                        "required", List.of("answered", "note"))));
        String transferId = Talkover.talkover(api, owner).body(transfer).post("/api/v1/agents/" + agentId + "/actions")
                .then().statusCode(201).extract().path("data.id");
        String resultRun = Talkover.talkover(api, owner).body(Map.of("input", Map.of("transfer_to", "+15550100")))
                .post("/api/v1/agents/" + agentId + "/actions/" + transferId + "/run").then().statusCode(200).extract()
                .path("data.run_id");
        paused(resultRun);

        // a run whose callback fails at once (410 ends a delivery): the page redelivers it
        Map<String, Object> callbackBody = runBody(List.of(step("A", "fast", List.of(), Map.of("id", "called-back"))));
        callbackBody.put("callbackUrl", stub.baseUrl() + "/hook/console");
        String calledBack = create(api, owner.apiKey(), callbackBody);
        Awaitility.await("the callback failed").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                .until(() -> "failed".equals(as(api, owner.apiKey()).get("/v1/callbacks?runId=" + calledBack).then()
                        .statusCode(200).extract().path("[0].state")));

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
        // a diamond: B and C after A, D after both
        env.put("LIVE_BODY",
                Json.write(runBody(List.of(step("A", "slow", List.of(), Map.of("id", "live-a")),
                        step("B", "slow", List.of("A"), Map.of("id", "live-b")),
                        step("C", "slow", List.of("A"), Map.of("id", "live-c")),
                        step("D", "slow", List.of("B", "C"), Map.of("id", "live-d"))))));
        List<Map<String, Object>> chain = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            chain.add(step("S" + i, "slow", i == 1 ? List.of() : List.of("S" + (i - 1)), Map.of("id", "drop-" + i)));
        }
        env.put("DROP_BODY", Json.write(runBody(chain)));
        env.put("ABORT_BODY", Json.write(runBody(List.of(step("A", "stuck", List.of(), Map.of("id", "abort-me"))))));
        env.put("APPROVE_RUN", approve);
        env.put("DENY_RUN", deny);
        env.put("EDIT_RUN", edit);
        env.put("CALLBACK_RUN", calledBack);
        env.put("AUTH_BODY",
                Json.write(runBody(List.of(step("A", "keyedget", List.of(), Map.of("id", "needs-account"))))));
        env.put("RESULT_RUN", resultRun);
        env.put("FOREIGN_RUN", foreign);
        Process node = builder.start();
        assertTrue(node.waitFor(3, TimeUnit.MINUTES), "console.mjs did not end within 3 minutes");
        List<String> lines = Files.readAllLines(output);
        assertFalse(lines.isEmpty(), "console.mjs printed nothing; see " + shots.resolve("console-mjs.err"));
        JsonNode result = Json.tree(lines.get(lines.size() - 1));
        assertTrue(result.path("ok").asBoolean(), "the browser run failed after " + result.path("steps") + ": "
                + result.path("error").asText() + " (screenshots in " + shots + ")");

        // live: the plan's graph was there before its steps ran, in stages with one arrow per dependency; every step
        // turned green on the page it was first opened on, and the timeline is the run's events
        JsonPath live = finished(api, owner.apiKey(), result.path("live").asText());
        assertEquals("SUCCESS", live.getString("status"));
        assertEquals(List.of("A", "B", "C", "D"), strings(result.path("liveNodes")));
        assertEquals("[[\"A\"],[\"B\",\"C\"],[\"D\"]]", result.path("liveStages").toString());
        assertEquals(List.of("A>B", "A>C", "B>D", "C>D"), strings(result.path("liveEdges")));
        assertTrue(result.path("liveSucceededAtFirst").asInt() < 4, "the page opened only after the run had ended");
        assertEquals(4, result.path("liveSucceeded").asInt());
        assertTrue(result.path("liveNotReloaded").asBoolean(), "the page was reloaded");
        assertEquals(eventSeqs(live), seqs(result.path("liveTimeline")));
        String detail = result.path("liveDetail").asText();
        assertTrue(detail.contains("Step B") && detail.contains("\"live-b\"") && detail.contains("\"slow-out\""),
                "step B's input and output: " + detail);

        // repeated: a new run of the same plan, which names the first
        JsonPath repeated = finished(api, owner.apiKey(), result.path("repeated").asText());
        assertEquals("SUCCESS", repeated.getString("status"));
        assertEquals(live.getString("runId"), repeated.getString("repeatRunId"));
        assertEquals(live.getString("repeatKey"), repeated.getString("repeatKey"));
        assertEquals(2, stub.receivedUnder("/slow/live-d").size(), "the plan ran twice");

        // closed by the server twice (each time a live stream was there to close): no event missing, none twice, in
        // order; each reconnect resumed after the last shown event
        JsonPath dropped = finished(api, owner.apiKey(), result.path("dropped").asText());
        assertEquals("SUCCESS", dropped.getString("status"));
        List<Long> expected = eventSeqs(dropped);
        assertEquals(expected, seqs(result.path("droppedTimeline")));
        assertEquals(LongStream.rangeClosed(expected.get(0), expected.get(expected.size() - 1)).boxed().toList(),
                expected);
        JsonNode requests = result.path("droppedRequests");
        assertEquals("[1,1]", result.path("closedByServer").toString(), "one stream connection closed each time");
        assertTrue(requests.size() >= 3, "two drops make at least three stream requests: " + requests);
        assertTrue(requests.get(0).path("lastEventId").isNull(), "the first request starts from the beginning");
        for (int i = 1; i < requests.size(); i++) {
            assertFalse(requests.get(i).path("lastEventId").isNull(), "a reconnect without Last-Event-ID: " + requests);
        }

        // abort: the run is canceled and its stuck call was not waited for
        assertEquals("CANCELED", finished(api, owner.apiKey(), result.path("aborted").asText()).getString("status"));

        // the callback: one failed attempt (410, with its excerpt), then the redelivery's, on the page as in the API
        assertEquals(1, result.path("attemptsBefore").size());
        assertTrue(result.path("attemptsBefore").get(0).asText().contains("410")
                && result.path("attemptsBefore").get(0).asText().contains("gone for now"), result.toString());
        assertEquals(2, result.path("attemptsAfter").size());
        assertTrue(result.path("attemptsAfter").get(1).asText().contains("200"),
                result.path("attemptsAfter").toString());
        String deliveryId = as(api, owner.apiKey()).get("/v1/callbacks?runId=" + calledBack).then().extract()
                .path("[0].id");
        JsonPath delivery = as(api, owner.apiKey()).get("/v1/callbacks/" + deliveryId).then().statusCode(200).extract()
                .jsonPath();
        assertEquals(List.of(410, 200), delivery.getList("attemptHistory.statusCode"));
        assertEquals(2, stub.receivedUnder("/hook/console").size());

        // the invalid edit: each field's own error next to it, the first bad field focused, and nothing sent
        JsonNode editErrors = result.path("editErrors");
        assertTrue(editErrors.path("id").asText().contains("at least 3 characters")
                && editErrors.path("id").asText().contains("pattern"), editErrors.toString());
        assertEquals("must be integer, not string", editErrors.path("count").asText());
        // both fields marked invalid (in the schema's property order), the first of them focused
        assertEquals(java.util.Set.of("id", "count"), java.util.Set.copyOf(strings(editErrors.path("invalid"))));
        assertEquals(editErrors.path("invalid").get(0).asText(), editErrors.path("focused").asText());
        assertEquals(0, result.path("approvalPostsAfterInvalid").asInt(), "the invalid edit was sent");
        assertEquals(1, result.path("approvalPosts").size());
        assertEquals(Map.of("id", "edited", "count", 3),
                Json.read(result.path("approvalPosts").get(0).asText(), Map.class).get("input"));

        // the connection request links where the API's event says; the result form refused a short note (nothing
        // sent) and then reported the result, with which the run succeeded
        String connectUrl = as(api, owner.apiKey())
                .get("/v1/runs/" + result.path("authRun").asText() + "?includeEvents=true").then().extract()
                .path("events.find { it.type == 'STEP_AUTH_REQUIRED' }.connect.connectUrl");
        assertTrue(connectUrl != null && !connectUrl.isEmpty());
        assertEquals(connectUrl, result.path("connectHref").asText());
        assertTrue(result.path("resultError").asText().contains("at least 2 characters"), result.toString());
        assertEquals(0, result.path("resultPostsAfterInvalid").asInt(), "the invalid result was sent");
        JsonPath reported = finished(api, owner.apiKey(), resultRun);
        assertEquals("SUCCESS", reported.getString("status"));
        assertEquals(Map.of("answered", true, "note", "ok"), reported.getMap("result"));

        // decisions took effect
        assertEquals("SUCCESS", finished(api, owner.apiKey(), approve).getString("status"));
        assertEquals(1, stub.receivedUnder("/fast/approve-me").size());
        JsonPath denied = finished(api, owner.apiKey(), deny);
        assertEquals("approval_denied", denied.getString("error.code"));
        assertTrue(stub.receivedUnder("/fast/deny-me").isEmpty());
        assertEquals("SUCCESS", finished(api, owner.apiKey(), edit).getString("status"));
        assertEquals(1, stub.receivedUnder("/strict/edited").size(), "the edited input was sent");
        assertTrue(stub.receivedUnder("/strict/original").isEmpty(), "the original input was not");
        assertTrue(stub.receivedUnder("/strict/X").isEmpty(), "the invalid input was not");

        // the registry: each action version's declarations as the API has them; integrations; accounts; no secret
        List<String> rows = new ArrayList<>();
        result.path("registryActions").forEach(row -> rows.add(String.join("|", strings(row))));
        // every version row says what the API's view of that version declares
        for (String row : rows) {
            String[] cells = row.split("\\|");
            JsonPath view = as(api, owner.apiKey()).get("/v1/actions/" + cells[0] + "?version=" + cells[1].substring(1))
                    .then().statusCode(200).extract().jsonPath();
            assertEquals(
                    String.join("|", view.getString("type"), view.getString("sideEffects"),
                            view.getBoolean("destructive") ? "yes" : "no",
                            view.getBoolean("acceptsIdempotencyKey") ? "yes" : "no", view.getString("status")),
                    String.join("|", List.of(cells).subList(2, 7)), row);
        }
        for (String key : List.of("fast", "slow", "stuck", "keyedget")) {
            assertTrue(rows.stream().anyMatch(r -> r.startsWith(key + "|v1|http|none|")), rows.toString());
        }
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("strict|v2|http|idempotent|")), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("strict|v1|http|none|")), rows.toString());
        String integrations = result.path("registryIntegrations").toString();
        assertTrue(integrations.contains("keyed") && integrations.contains("api_key · header · X-Key"), integrations);
        assertTrue(result.path("registryAccounts").toString().contains("u-console"));
        assertTrue(result.path("registryAccounts").toString().contains("active"));
        assertFalse(result.path("registryHtml").asText().contains(secret), "a credential on the registry page");

        // nothing of the other owner on any page
        for (String page : List.of("runsListText", "decisionsText", "registryText", "callbacksText")) {
            String text = result.path(page).asText();
            assertFalse(text.isEmpty(), page);
            assertFalse(text.contains(foreign) || text.contains("foreign-integration") || text.contains("Foreign"),
                    page + " shows the other owner's data");
        }
        assertTrue(result.path("callbacksText").asText().contains(calledBack));
        // recover: the one failed callback was redelivered and succeeded, so nothing is failed any more
        assertEquals("0 failed callbacks scheduled again.", result.path("recovered").asText());

        // narrow: nothing wider than the screen
        assertTrue(result.path("narrowOverflow").asInt() <= 0, "the narrow run page scrolls sideways");

        // another owner's run: the page says not found and shows nothing of it; the run still waits
        assertTrue(result.path("foreignBody").asText().contains("Run not found"));
        assertFalse(result.path("foreignBody").asText().contains("foreign"));
        assertEquals("PAUSED",
                as(api, other.apiKey()).get("/v1/runs/" + foreign).then().statusCode(200).extract().path("status"));
    }
}

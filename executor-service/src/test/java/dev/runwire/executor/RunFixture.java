package dev.runwire.executor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.executor.approval.ApprovalHandler;
import dev.runwire.executor.approval.ApprovalRequests;
import dev.runwire.executor.credential.RunCredentials;
import dev.runwire.executor.integration.ActionSchemas;
import dev.runwire.executor.integration.PassThrough;
import dev.runwire.executor.integration.StepOutcome;
import dev.runwire.executor.plan.Changes;
import dev.runwire.executor.plan.PlanScheduler;
import dev.runwire.executor.plan.PlanState;
import dev.runwire.executor.plan.RunState;
import dev.runwire.executor.plan.Transition;
import dev.runwire.executor.step.ExternalResults;
import dev.runwire.executor.step.StepOutcomes;
import dev.runwire.model.action.ActionSafety;
import dev.runwire.model.approval.ApprovalTokens;
import dev.runwire.model.command.ActionSpec;
import dev.runwire.model.command.ApprovalDecided;
import dev.runwire.model.command.ConnectionProvided;
import dev.runwire.model.command.HttpSpec;
import dev.runwire.model.command.OutcomeResolved;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RetryPolicy;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.command.StepResultReported;
import dev.runwire.model.crypto.SecretSealer;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;

/**
 * A run driven through the executor's handlers the way its run actor drives them, with no broker, store or HTTP: each
 * input gives a {@link Transition}, whose events are kept in order. Builders for actions, steps and requests.
 */
public final class RunFixture {

    public static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    /** Fixed for a test run (events are stamped with it); real time, as approval tokens are checked against it. */
    public static final Instant NOW = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    public static final SecretSealer SEALER = new SecretSealer("k1", Map.of("k1", KEY));
    public static final ApprovalTokens TOKENS = new ApprovalTokens(KEY);
    public static final Duration APPROVAL_TTL = Duration.ofHours(1);
    public static final Duration REFRESH_SKEW = Duration.ofSeconds(30);
    public static final int MAX_RESULT_BYTES = 4096;
    public static final UUID OWNER = UUID.fromString("00000000-0000-0000-0000-00000000000a");

    public final ActionSchemas schemas = new ActionSchemas();
    public final PlanScheduler scheduler;
    public final ApprovalHandler approvals;
    public final RunCredentials credentials;
    public final ExternalResults results;
    public final StepOutcomes outcomes;
    public RunState run;
    public final List<RunEvent> events = new ArrayList<>();
    public Transition last;
    private Clock clock = CLOCK;

    public RunFixture() {
        this(APPROVAL_TTL);
    }

    public RunFixture(Duration approvalTtl) {
        scheduler = new PlanScheduler(schemas, new ApprovalRequests(TOKENS, approvalTtl), MAX_RESULT_BYTES);
        approvals = new ApprovalHandler(scheduler, schemas);
        credentials = new RunCredentials(new PassThrough.Opener(SEALER), scheduler, REFRESH_SKEW);
        results = new ExternalResults(scheduler, schemas);
        outcomes = new StepOutcomes(scheduler, credentials);
    }

    public RunFixture at(Instant now) {
        clock = Clock.fixed(now, ZoneOffset.UTC);
        return this;
    }

    // ---- building requests

    public static JsonNode json(String text) {
        return Json.read(text, JsonNode.class);
    }

    public static HttpSpec httpSpec(String integrationKey) {
        return new HttpSpec(integrationKey, "POST", "https://api.example.com", "/things", null, null, null, null);
    }

    public static ActionSpec http(String integrationKey) {
        return http(integrationKey, null, null, null);
    }

    public static ActionSpec http(String integrationKey, JsonNode inputSchema, JsonNode outputSchema,
            RetryPolicy retry) {
        return new ActionSpec(UUID.nameUUIDFromBytes((integrationKey + inputSchema + outputSchema).getBytes()),
                integrationKey + ".act", 1, ActionSpec.HTTP, httpSpec(integrationKey), true, null, inputSchema,
                outputSchema, 1000, retry, null);
    }

    public static ActionSpec withRetry(int maxAttempts, long backoffMs) {
        return http("crm", null, null, new RetryPolicy(maxAttempts, backoffMs));
    }

    public static ActionSpec external(JsonNode outputSchema) {
        return new ActionSpec(UUID.nameUUIDFromBytes(("ext" + outputSchema).getBytes()), "agent.tool", 1,
                ActionSpec.EXTERNAL, null, true, null, null, outputSchema, 1000, null, null);
    }

    public static PlanStep step(String id, ActionSpec action, JsonNode input, String... dependsOn) {
        return new PlanStep(id, "step " + id, Arrays.asList(dependsOn), action, input);
    }

    public static PlanStep step(String id, String... dependsOn) {
        return step(id, http("crm"), json("{\"n\":\"" + id + "\"}"), dependsOn);
    }

    /** A reference to an earlier step's output. */
    public static JsonNode ref(String stepId, String pointer) {
        return json("{\"$fromStep\":\"" + stepId + "\",\"$pointer\":\"" + pointer + "\"}");
    }

    public static RunRequested plan(PlanStep... steps) {
        return request(RunRequested.Kind.PLAN, null, null, null, null, steps);
    }

    public static RunRequested action(PlanStep only) {
        return request(RunRequested.Kind.ACTION, null, null, null, null, only);
    }

    public static RunRequested request(RunRequested.Kind kind, String approvalStrategy,
            List<RunRequested.Connection> awaiting, JsonNode outputSchema, SealedSecret passThrough,
            PlanStep... steps) {
        UUID runId = UUID.nameUUIDFromBytes(("run" + kind + approvalStrategy + Arrays.toString(steps)).getBytes());
        return new RunRequested(runId, OWNER, NOW, kind, List.of(steps), outputSchema, passThrough, approvalStrategy,
                awaiting, "user-1", null);
    }

    /** Pass-through entries sealed for the run, as the api-service seals them. */
    public static SealedSecret sealed(UUID runId, List<PassThrough> entries) {
        return SEALER.seal(Json.write(entries), runId.toString());
    }

    public static PassThrough account(String integrationKey, UUID accountId, long version, Instant expiresAt) {
        return new PassThrough(integrationKey, Map.of("Authorization", "Bearer v" + version), null, accountId, version,
                null, expiresAt);
    }

    // ---- driving the run, as the run actor does

    private Changes changes() {
        return new Changes(run, clock);
    }

    private Transition done(Changes changes) {
        last = changes.transition();
        events.addAll(last.events());
        return last;
    }

    public Transition begin(RunRequested command) {
        run = RunState.fresh(command);
        Changes changes = changes();
        List<PassThrough> opened = credentials.ofRequest(run);
        if (opened == null) {
            credentials.failUnreadable(changes);
        } else {
            run.passThrough(opened);
            scheduler.begin(changes);
        }
        return done(changes);
    }

    public Transition outcome(String stepId, StepOutcome outcome) {
        Changes changes = changes();
        outcomes.apply(changes, run.step(stepId), outcome);
        return done(changes);
    }

    public Transition succeed(String stepId, String output) {
        return outcome(stepId, StepOutcome.success(json(output)));
    }

    public Transition fail(String stepId, RunError error) {
        return outcome(stepId, StepOutcome.failure(error));
    }

    public Transition decide(String stepId, String decision, JsonNode edited) {
        String hash = stepId == null ? null : ApprovalTokens.hash(run.plan().step(stepId).input());
        return decide(new ApprovalDecided(run.runId(), OWNER, stepId, decision, hash, edited, NOW));
    }

    public Transition decide(ApprovalDecided decision) {
        Changes changes = changes();
        approvals.apply(changes, decision);
        return done(changes);
    }

    public Transition connect(String integrationKey, List<PassThrough> entries) {
        Changes changes = changes();
        credentials.apply(changes,
                new ConnectionProvided(run.runId(), OWNER, integrationKey, sealed(run.runId(), entries), NOW));
        return done(changes);
    }

    public Transition report(String stepId, String output) {
        Changes changes = changes();
        results.apply(changes, new StepResultReported(run.runId(), OWNER, stepId, json(output), NOW));
        return done(changes);
    }

    /** The step whose outcome is unknown is resolved ({@code output} JSON for {@code succeeded}, else null). */
    public Transition resolve(String stepId, String outcome, String output) {
        Changes changes = changes();
        results.resolve(changes,
                new OutcomeResolved(run.runId(), OWNER, stepId, outcome, output == null ? null : json(output), NOW));
        return done(changes);
    }

    /** The action with a declaration (and a retry policy of 3 attempts). */
    public static ActionSpec declared(ActionSafety safety, JsonNode outputSchema) {
        return new ActionSpec(UUID.nameUUIDFromBytes(("declared" + safety + outputSchema).getBytes()), "pay.charge", 1,
                ActionSpec.HTTP, httpSpec("pay"), true, null, null, outputSchema, 1000, new RetryPolicy(3, 10), safety);
    }

    public Transition expire() {
        Changes changes = changes();
        credentials.expire(changes);
        return done(changes);
    }

    public Transition abort() {
        Changes changes = changes();
        scheduler.cancel(changes, RunError.of(RunError.Codes.CANCELED, "the run was aborted"));
        return done(changes);
    }

    /** The call of the step is about to start: a refreshed token may be asked for first. */
    public boolean refreshFirst(String stepId) {
        Changes changes = changes();
        boolean waits = credentials.refreshFirst(changes, run.step(stepId));
        done(changes);
        return waits;
    }

    /**
     * The executor restarts: the run is read back from what was stored (its state as JSON, status and next number), its
     * interrupted calls start again and the plan goes on.
     */
    public Transition restart() {
        RunState stored = new RunState(run.runId(), run.ownerId());
        stored.load(run.status(), run.nextSeq(), run.command(), PlanState.fromJson(run.plan().toJson()));
        run = stored;
        Changes changes = changes();
        List<PassThrough> opened = credentials.ofRun(run);
        if (opened == null) {
            credentials.failUnreadable(changes);
        } else {
            run.passThrough(opened);
        }
        if (!run.status().isTerminal()) {
            scheduler.relaunchRunning(changes);
            scheduler.advance(changes);
        }
        return done(changes);
    }

    // ---- reading it

    public StepStatus status(String stepId) {
        return run.plan().step(stepId).status();
    }

    public List<RunEventType> types() {
        return events.stream().map(RunEvent::type).toList();
    }

    public List<String> trace() {
        return events.stream().map(e -> e.type() + (e.stepId() == null ? "" : ":" + e.stepId())).toList();
    }

    public List<String> launched() {
        return last.launches().stream().map(l -> l.step().stepId()).toList();
    }

    public RunEvent lastEvent() {
        return events.get(events.size() - 1);
    }

    public RunEvent event(RunEventType type, String stepId) {
        return events.stream().filter(e -> e.type() == type && java.util.Objects.equals(stepId, e.stepId())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " for " + stepId + " in " + trace()));
    }

    public RunStatus runStatus() {
        return run.status();
    }
}

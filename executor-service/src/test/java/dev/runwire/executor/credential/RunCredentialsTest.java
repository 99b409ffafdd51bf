package dev.runwire.executor.credential;

import static dev.runwire.executor.RunFixture.account;
import static dev.runwire.executor.RunFixture.http;
import static dev.runwire.executor.RunFixture.json;
import static dev.runwire.executor.RunFixture.request;
import static dev.runwire.executor.RunFixture.sealed;
import static dev.runwire.executor.RunFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.runwire.executor.RunFixture;
import dev.runwire.executor.integration.PassThrough;
import dev.runwire.model.command.PlanStep;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.command.SealedSecret;
import dev.runwire.model.crypto.SecretSealer;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.run.StepStatus;

/** AUTH_REQUIRED: waiting for a connection, refused and expiring credentials, and a wait that lasts too long. */
class RunCredentialsTest {

    private static final UUID ACCOUNT = UUID.fromString("00000000-0000-0000-0000-0000000000ac");
    private static final RunError REFUSED = new RunError(Codes.CREDENTIALS_INVALID, "refused (HTTP 401)", 401, null);

    private final RunFixture f = new RunFixture();

    private static RunRequested awaiting(String integrationKey, PlanStep... steps) {
        return request(RunRequested.Kind.PLAN, null, List.of(RunRequested.Connection.missing(integrationKey, "user-1")),
                null, null, steps);
    }

    private static PlanStep on(String id, String integrationKey, String... dependsOn) {
        return step(id, http(integrationKey), json("{\"n\":\"" + id + "\"}"), dependsOn);
    }

    /** A plan whose request carries pass-through entries (sealed for its run id, as the api-service does). */
    private static RunRequested withPassThrough(List<PassThrough> entries, PlanStep... steps) {
        RunRequested unsealed = request(RunRequested.Kind.PLAN, null, null, null, null, steps);
        return new RunRequested(unsealed.runId(), unsealed.ownerId(), unsealed.acceptedAt(), unsealed.kind(),
                unsealed.steps(), null, sealed(unsealed.runId(), entries), null, null, "user-1", null);
    }

    @Test
    void aStepWhoseIntegrationHasNoAccountWaitsAndSaysWhereToConnectOne() {
        f.begin(awaiting("crm", on("A", "crm"), on("B", "mail")));
        assertEquals(StepStatus.AWAITING_CONNECTION, f.status("A"));
        assertEquals(List.of("B"), f.launched());
        RunEvent asked = f.event(RunEventType.STEP_AUTH_REQUIRED, "A");
        assertEquals("crm", asked.connect().integrationKey());
        assertEquals(Codes.AUTH_REQUIRED, asked.error().code());
        assertTrue(asked.error().message().contains(asked.connect().connectUrl()), asked.error().message());
        assertEquals(json("{\"n\":\"A\"}"), asked.input());
    }

    @Test
    void aRunWithNothingElseToDoIsAuthRequired() {
        f.begin(awaiting("crm", on("A", "crm")));
        assertEquals(RunStatus.AUTH_REQUIRED, f.runStatus());
        assertEquals(RunEventType.RUN_AUTH_REQUIRED, f.lastEvent().type());
    }

    @Test
    void aRunWaitsForAConnectionOnlyOnceOtherStepsAreDone() {
        f.begin(awaiting("crm", on("A", "crm"), on("B", "mail")));
        assertEquals(RunStatus.RUNNING, f.runStatus());
        f.succeed("B", "{}");
        assertEquals(RunStatus.AUTH_REQUIRED, f.runStatus());
    }

    @Test
    void aConnectionLetsTheWaitingStepsGoOnWithItsCredentials() {
        f.begin(awaiting("crm", on("A", "crm"), on("B", "crm", "A")));
        f.connect("crm", List.of(account("crm", ACCOUNT, 1, null)));
        assertEquals(List.of("RUN_STARTED", "STEP_AUTH_REQUIRED:A", "RUN_AUTH_REQUIRED", "STEP_CONNECTED:A",
                "STEP_STARTED:A"), f.trace());
        assertEquals(List.of("A"), f.launched());
        assertEquals(RunStatus.RUNNING, f.runStatus());
        assertEquals(ACCOUNT, PassThrough.accountFor(f.run.passThrough(), "crm").accountId());
        assertTrue(f.run.plan().connected("crm"));
    }

    @Test
    void aSecondConnectionToTheSameIntegrationChangesNothing() {
        f.begin(awaiting("crm", on("A", "crm")));
        f.connect("crm", List.of(account("crm", ACCOUNT, 1, null)));
        int before = f.events.size();
        f.connect("crm", List.of(account("crm", ACCOUNT, 2, null)));
        assertEquals(before, f.events.size());
        assertTrue(f.last.isEmpty());
    }

    @Test
    void aConnectionToAnotherIntegrationDoesNotWakeTheStep() {
        f.begin(awaiting("crm", on("A", "crm")));
        f.connect("mail", List.of(account("mail", ACCOUNT, 1, null)));
        assertEquals(StepStatus.AWAITING_CONNECTION, f.status("A"));
        assertEquals(RunStatus.AUTH_REQUIRED, f.runStatus());
    }

    @Test
    void refusedCredentialsMakeTheStepWaitNamingTheAccountAndVersionRefused() {
        f.begin(withPassThrough(List.of(account("crm", ACCOUNT, 3, null)), on("A", "crm")));
        f.fail("A", REFUSED);
        assertEquals(StepStatus.AWAITING_CONNECTION, f.status("A"));
        RunEvent asked = f.event(RunEventType.STEP_AUTH_REQUIRED, "A");
        assertEquals(RunRequested.Connection.CREDENTIALS_INVALID, asked.connect().reason());
        assertEquals(ACCOUNT, asked.connect().accountId());
        assertEquals(3L, asked.connect().credentialsVersion());
        assertEquals(REFUSED, asked.error());
        assertEquals(json("{\"n\":\"A\"}"), asked.input());
        assertEquals(RunStatus.AUTH_REQUIRED, f.runStatus());
    }

    @Test
    void newerCredentialsAfterARefusalRunTheStepAgain() {
        f.begin(withPassThrough(List.of(account("crm", ACCOUNT, 3, null)), on("A", "crm")));
        f.fail("A", REFUSED);
        f.connect("crm", List.of(account("crm", ACCOUNT, 4, null)));
        assertEquals(List.of("A"), f.launched());
        assertEquals(4L, PassThrough.accountFor(f.run.passThrough(), "crm").credentialsVersion());
        assertNull(f.run.plan().refusal("crm"));
    }

    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3 })
    void credentialsNoNewerThanTheRefusedOnesChangeNothing(long version) {
        f.begin(withPassThrough(List.of(account("crm", ACCOUNT, 3, null)), on("A", "crm")));
        f.fail("A", REFUSED);
        int before = f.events.size();
        f.connect("crm", List.of(account("crm", ACCOUNT, version, null)));
        assertEquals(before, f.events.size());
        assertEquals(StepStatus.AWAITING_CONNECTION, f.status("A"));
    }

    @Test
    void anotherAccountAfterARefusalIsUsed() {
        f.begin(withPassThrough(List.of(account("crm", ACCOUNT, 3, null)), on("A", "crm")));
        f.fail("A", REFUSED);
        f.connect("crm", List.of(account("crm", UUID.randomUUID(), 1, null)));
        assertEquals(List.of("A"), f.launched());
    }

    @Test
    void aTokenEndingBeforeTheCallIsRefreshedFirstOncePerStep() {
        Instant soon = RunFixture.NOW.plusSeconds(5);
        f.begin(withPassThrough(List.of(account("crm", ACCOUNT, 1, soon)), on("A", "crm")));
        assertTrue(f.refreshFirst("A"));
        assertEquals(StepStatus.AWAITING_CONNECTION, f.status("A"));
        RunEvent asked = f.event(RunEventType.STEP_AUTH_REQUIRED, "A");
        assertEquals(Codes.CREDENTIALS_EXPIRED, asked.error().code());
        assertEquals(RunRequested.Connection.CREDENTIALS_EXPIRED, asked.connect().reason());
        assertEquals(RunStatus.AUTH_REQUIRED, f.runStatus());
        f.connect("crm", List.of(account("crm", ACCOUNT, 2, soon)));
        assertEquals(List.of("A"), f.launched());
        assertFalse(f.refreshFirst("A"), "a step asks for a refresh once");
    }

    @ParameterizedTest
    @ValueSource(longs = { 31, 60, 3600 })
    void aTokenLastingBeyondTheSkewIsUsed(long seconds) {
        f.begin(withPassThrough(List.of(account("crm", ACCOUNT, 1, RunFixture.NOW.plusSeconds(seconds))),
                on("A", "crm")));
        assertFalse(f.refreshFirst("A"));
        assertEquals(StepStatus.RUNNING, f.status("A"));
    }

    @ParameterizedTest
    @ValueSource(longs = { -60, 0, 1, 29 })
    void aTokenEndingWithinTheSkewIsNot(long seconds) {
        f.begin(withPassThrough(List.of(account("crm", ACCOUNT, 1, RunFixture.NOW.plusSeconds(seconds))),
                on("A", "crm")));
        assertTrue(f.refreshFirst("A"));
    }

    @Test
    void theCallersOwnEntriesAreNeverRefreshed() {
        f.begin(withPassThrough(List.of(new PassThrough("crm", null, null, null, null, null, RunFixture.NOW)),
                on("A", "crm")));
        assertFalse(f.refreshFirst("A"));
    }

    @Test
    void aWaitThatLastsTooLongFailsTheRun() {
        f.begin(request(RunRequested.Kind.PLAN, RunRequested.ON_TOOL_CALL,
                List.of(RunRequested.Connection.missing("crm", "user-1")), null, null, on("A", "crm"), on("B", "mail"),
                on("C", "mail", "A")));
        assertEquals(StepStatus.AWAITING_APPROVAL, f.status("B"));
        f.expire();
        assertEquals(RunStatus.FAILED, f.runStatus());
        assertEquals(StepStatus.FAILED, f.status("A"));
        assertEquals(StepStatus.CANCELED, f.status("B"));
        assertEquals(StepStatus.SKIPPED, f.status("C"));
        assertEquals(Codes.AUTH_REQUIRED_TIMEOUT, f.lastEvent().error().code());
        assertTrue(f.lastEvent().error().message().contains("[crm]"), f.lastEvent().error().message());
        assertTrue(f.last.finished());
    }

    @Test
    void anExpiryForARunNoLongerWaitingChangesNothing() {
        f.begin(awaiting("crm", on("A", "crm")));
        f.connect("crm", List.of(account("crm", ACCOUNT, 1, null)));
        f.expire();
        assertTrue(f.last.isEmpty());
        assertEquals(RunStatus.RUNNING, f.runStatus());
    }

    @Test
    void passThroughSealedUnderAnotherKeyFailsTheRunAtOnce() {
        SecretSealer other = new SecretSealer("k2",
                java.util.Map.of("k2",
                        java.util.Base64.getEncoder().encodeToString(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 })));
        RunRequested plain = request(RunRequested.Kind.PLAN, null, null, null, null, on("A", "crm"), on("B", "crm"));
        SealedSecret foreign = other.seal(Json.write(List.of()), plain.runId().toString());
        RunRequested command = new RunRequested(plain.runId(), plain.ownerId(), plain.acceptedAt(), plain.kind(),
                plain.steps(), null, foreign, null, null, "user-1", null);
        f.begin(command);
        assertEquals(RunStatus.FAILED, f.runStatus());
        assertEquals(List.of("STEP_SKIPPED:A", "STEP_SKIPPED:B", "RUN_FAILED"), f.trace());
        assertEquals(Codes.PASS_THROUGH_UNREADABLE, f.lastEvent().error().code());
        assertEquals(List.of(), f.launched());
    }

    @Test
    void passThroughSealedForAnotherRunIsUnreadable() {
        RunRequested plain = request(RunRequested.Kind.PLAN, null, null, null, null, on("A", "crm"));
        RunRequested command = new RunRequested(plain.runId(), plain.ownerId(), plain.acceptedAt(), plain.kind(),
                plain.steps(), null, sealed(UUID.randomUUID(), List.of()), null, null, "user-1", null);
        f.begin(command);
        assertEquals(Codes.PASS_THROUGH_UNREADABLE, f.lastEvent().error().code());
    }

    @Test
    void anUnreadableConnectionFailsTheStepsUnderWayAndCancelsTheirCalls() {
        f.begin(request(RunRequested.Kind.PLAN, null, List.of(RunRequested.Connection.missing("crm", "user-1")), null,
                null, on("A", "crm"), on("B", "mail")));
        assertEquals(StepStatus.RUNNING, f.status("B"));
        SealedSecret broken = new SealedSecret("k1", "AAAAAAAAAAAAAAAA",
                java.util.Base64.getEncoder().encodeToString(new byte[32]));
        f.run.plan().connect("other", broken);
        f.connect("crm", List.of(account("crm", ACCOUNT, 1, null)));
        assertEquals(RunStatus.FAILED, f.runStatus());
        assertEquals(StepStatus.FAILED, f.status("A"));
        assertEquals(StepStatus.FAILED, f.status("B"));
        assertEquals(List.of("A", "B"), f.last.cancels());
    }

    @Test
    void awaitedIsNullForAStepWithoutAnIntegration() {
        f.begin(awaiting("crm", step("A", RunFixture.external(null), json("{}"))));
        assertNull(f.run.awaitedConnection(f.run.step("A")));
    }

    @Test
    void abortingARunThatWaitsForAConnectionCancelsTheWaitingStep() {
        f.begin(awaiting("crm", on("A", "crm")));
        f.abort();
        assertEquals(StepStatus.CANCELED, f.status("A"));
        assertEquals(RunStatus.CANCELED, f.runStatus());
    }
}

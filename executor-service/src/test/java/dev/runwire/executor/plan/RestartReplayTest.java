package dev.runwire.executor.plan;

import static dev.runwire.executor.RunFixture.plan;
import static dev.runwire.executor.RunFixture.request;
import static dev.runwire.executor.RunFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.runwire.executor.RunFixture;
import dev.runwire.model.approval.ApprovalTokens;
import dev.runwire.model.command.RunRequested;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.run.RunError;
import dev.runwire.model.run.RunError.Codes;

/**
 * A run taken up again after a restart at any point between two inputs ends with exactly the events of a run that never
 * stopped: same types, steps, numbers, ids, statuses and payloads. Interrupted calls are made again, nothing else is
 * repeated.
 */
class RestartReplayTest {

    /** One scenario: a request and the inputs that follow it, in order. */
    record Scenario(String name, RunRequested command, List<Consumer<RunFixture>> inputs) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final RunError HTTP_400 = new RunError(Codes.INTEGRATION_HTTP_ERROR, "HTTP 400", 400, null);

    static List<Scenario> scenarios() {
        return List.of(
                new Scenario("chain", plan(step("A"), step("B", "A"), step("C", "B")),
                        List.of(f -> f.succeed("A", "{\"a\":1}"), f -> f.succeed("B", "{\"b\":2}"),
                                f -> f.succeed("C", "{}"))),
                new Scenario("diamond with a failure",
                        plan(step("A"), step("B", "A"), step("C", "A"), step("D", "B", "C"), step("E")),
                        List.of(f -> f.succeed("A", "{}"), f -> f.fail("B", HTTP_400), f -> f.succeed("E", "{}"),
                                f -> f.succeed("C", "{}"))),
                new Scenario("retries",
                        plan(step("A", RunFixture.withRetry(3, 10), RunFixture.json("{}")), step("B", "A")),
                        List.of(f -> f.fail("A", RunError.of(Codes.INTEGRATION_TIMEOUT, "t")),
                                f -> f.fail("A", RunError.of(Codes.INTEGRATION_UNREACHABLE, "u")),
                                f -> f.succeed("A", "{}"), f -> f.succeed("B", "{}"))),
                new Scenario("approvals",
                        request(RunRequested.Kind.PLAN, RunRequested.ON_TOOL_CALL, null, null, null, step("A"),
                                step("B", "A"), step("C")),
                        List.of(f -> f.decide("A", ApprovalTokens.APPROVE, null),
                                f -> f.decide("C", ApprovalTokens.DENY, null), f -> f.succeed("A", "{}"),
                                f -> f.decide("B", ApprovalTokens.APPROVE, null), f -> f.succeed("B", "{}"))),
                new Scenario("a connection",
                        request(RunRequested.Kind.PLAN, null, List.of(RunRequested.Connection.missing("crm", "user-1")),
                                null, null, step("A"), step("B", "A")),
                        List.of(f -> f.connect("crm",
                                List.of(RunFixture.account("crm", java.util.UUID.randomUUID(), 1, null))),
                                f -> f.succeed("A", "{}"), f -> f.succeed("B", "{}"))),
                new Scenario("an abort", plan(step("A"), step("B"), step("C", "A")),
                        List.of(f -> f.succeed("B", "{}"), RunFixture::abort)));
    }

    static Stream<Object[]> restarts() {
        return scenarios().stream()
                .flatMap(s -> IntStream.rangeClosed(0, s.inputs().size()).mapToObj(at -> new Object[] { s, at }));
    }

    @ParameterizedTest(name = "{0}, restarted after input {1}")
    @MethodSource("restarts")
    void aRestartedRunEndsWithTheSameEvents(Scenario scenario, int restartAfter) {
        RunFixture straight = new RunFixture();
        straight.begin(scenario.command());
        scenario.inputs().forEach(input -> input.accept(straight));

        RunFixture restarted = new RunFixture();
        restarted.begin(scenario.command());
        for (int i = 0; i < scenario.inputs().size(); i++) {
            if (i == restartAfter) {
                restarted.restart();
            }
            scenario.inputs().get(i).accept(restarted);
        }
        if (restartAfter == scenario.inputs().size()) {
            restarted.restart();
        }
        assertEquals(withoutTokens(straight.events), withoutTokens(restarted.events));
        // the steps as stored (connections are sealed with a fresh nonce each time, so they are not compared)
        assertEquals(steps(straight), steps(restarted));
        assertEquals(straight.runStatus(), restarted.runStatus());
    }

    @ParameterizedTest(name = "{0}, restarted after input {1}")
    @MethodSource("restarts")
    void aRestartMakesOnlyTheInterruptedCallsAgain(Scenario scenario, int restartAfter) {
        RunFixture f = new RunFixture();
        f.begin(scenario.command());
        for (int i = 0; i < restartAfter && i < scenario.inputs().size(); i++) {
            scenario.inputs().get(i).accept(f);
        }
        List<String> running = f.run.plan().withStatus(dev.runwire.model.run.StepStatus.RUNNING);
        int before = f.events.size();
        f.restart();
        assertEquals(running, f.launched());
        assertEquals(before, f.events.size());
    }

    private static com.fasterxml.jackson.databind.JsonNode steps(RunFixture f) {
        return RunFixture.json(f.run.plan().toJson()).get("steps");
    }

    /** Approval tokens carry a random id and the time they were issued: equal runs have different tokens. */
    private static List<RunEvent> withoutTokens(List<RunEvent> events) {
        return events.stream()
                .map(e -> new RunEvent(e.eventId(), e.runId(), e.seq(), e.type(), e.stepId(), e.description(), e.at(),
                        e.status(), e.input(), e.output(), e.error(),
                        e.approval() == null ? null
                                : new RunEvent.ApprovalLinks("approve", "deny", e.approval().expiresAt()),
                        e.connect(), e.expects()))
                .toList();
    }
}

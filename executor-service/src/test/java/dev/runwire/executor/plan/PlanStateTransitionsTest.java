package dev.runwire.executor.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.runwire.executor.plan.PlanState.Step;
import dev.runwire.model.run.StepStateMachine;
import dev.runwire.model.run.StepStatus;

/** The plan's state enforces the step table: a move it refuses throws and leaves the step as it was. */
class PlanStateTransitionsTest {

    static Stream<Arguments> everyPair() {
        List<Arguments> pairs = new ArrayList<>();
        for (StepStatus from : StepStatus.values()) {
            for (StepStatus to : StepStatus.values()) {
                pairs.add(Arguments.of(from, to));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("everyPair")
    void aStepMovesOnlyAsTheTableAllows(StepStatus from, StepStatus to) {
        PlanState state = PlanState.fromJson("{\"started\":true,\"steps\":{\"A\":{\"status\":\"" + from + "\"}}}");
        Step next = new Step(to, null, null, null);
        if (StepStateMachine.canMove(from, to)) {
            state.set("A", next);
            assertEquals(to, state.step("A").status());
        } else {
            assertThrows(IllegalStateException.class, () -> state.set("A", next));
            assertEquals(from, state.step("A").status());
        }
    }
}

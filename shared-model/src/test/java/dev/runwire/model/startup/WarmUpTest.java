package dev.runwire.model.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class WarmUpTest {

    @Test
    void everyStepRunsItsRoundsInOrder() {
        StringBuilder order = new StringBuilder();
        AtomicInteger rounds = new AtomicInteger();
        WarmUp.Report report = WarmUp.run(List.of(WarmUp.Step.of("a", 3, () -> {
            order.append('a');
            rounds.incrementAndGet();
        }), new WarmUp.Step("b", 2, () -> {
            order.append('b');
            return CompletableFuture.completedFuture(null);
        })), Duration.ofSeconds(5));
        assertEquals("aaabb", order.toString());
        assertEquals(List.of("a", "b"), List.copyOf(report.stepMillis().keySet()));
        assertTrue(report.problems().isEmpty(), report.toString());
    }

    @Test
    void aFailingStepIsSkippedAndTheNextStillRuns() {
        AtomicInteger after = new AtomicInteger();
        WarmUp.Report report = WarmUp.run(List.of(WarmUp.Step.of("fails", 5, () -> {
            throw new IllegalArgumentException("no");
        }), new WarmUp.Step("fails later", 1, () -> CompletableFuture.failedFuture(new IllegalStateException())),
                WarmUp.Step.of("after", 4, after::incrementAndGet)), Duration.ofSeconds(5));
        assertEquals(4, after.get());
        assertEquals(2, report.problems().size(), report.toString());
        assertTrue(report.stepMillis().get("fails") <= 0 && report.stepMillis().get("fails later") <= 0);
    }

    @Test
    void aStepThatNeverCompletesIsCutOffAtTheBound() {
        long start = System.nanoTime();
        WarmUp.Report report = WarmUp
                .run(List.of(new WarmUp.Step("hangs", 1, CompletableFuture::new), WarmUp.Step.of("too late", 1, () -> {
                })), Duration.ofMillis(300));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 2_000, "bounded: " + millis + " ms");
        assertEquals(2, report.problems().size(), "the hung step and the one after it: " + report);
    }
}

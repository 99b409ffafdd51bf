package dev.runwire.api.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/** An answer taken from the broadcast waits for the read model's copy of the run's end, never forever. */
class StoredEndsTest {

    private final StoredEnds ends = new StoredEnds(new SimpleMeterRegistry());
    private final UUID runId = UUID.randomUUID();

    @Test
    void anEndThisReplicaStoredFirstIsAnsweredWithoutLooking() {
        AtomicInteger looks = new AtomicInteger();
        ends.expect(runId);
        ends.stored(List.of(UUID.randomUUID(), runId));
        ends.untilStored(runId, id -> {
            looks.incrementAndGet();
            return Uni.createFrom().item(true);
        }).await().atMost(Duration.ofSeconds(1));
        assertEquals(0, looks.get());
    }

    @Test
    void theStoreSignalWakesAWaitingAnswer() {
        ends.expect(runId);
        long start = System.nanoTime();
        // the read model's signal, a moment after the answer started waiting
        CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS).execute(() -> ends.stored(List.of(runId)));
        ends.untilStored(runId, id -> Uni.createFrom().item(false)).await().atMost(Duration.ofSeconds(3));
        assertTrue(System.nanoTime() - start < StoredEnds.LONGEST.toNanos(), "woken by the signal, not the deadline");
    }

    @Test
    void anEndStoredByAnotherReplicaIsFoundByLooking() {
        AtomicInteger looks = new AtomicInteger();
        ends.expect(runId);
        ends.untilStored(runId, id -> Uni.createFrom().item(looks.incrementAndGet() >= 3)).await()
                .atMost(Duration.ofSeconds(3));
        assertEquals(3, looks.get(), "looked until found");
    }

    @Test
    void aStoreThatNeverHasItOrFailsStillLetsTheAnswerGoAfterTheLongestWait() {
        ends.expect(runId);
        long start = System.nanoTime();
        ends.untilStored(runId, id -> Uni.createFrom().failure(new IllegalStateException("away"))).await()
                .atMost(Duration.ofSeconds(5));
        long waited = System.nanoTime() - start;
        assertTrue(waited >= StoredEnds.LONGEST.toNanos() - Duration.ofMillis(50).toNanos(), "waited " + waited);
    }

    @Test
    void withoutInterestNothingIsWaitedFor() {
        ends.untilStored(runId, id -> Uni.createFrom().item(false)).await().atMost(Duration.ofMillis(100));
        ends.expect(runId);
        ends.forget(runId);
        ends.untilStored(runId, id -> Uni.createFrom().item(false)).await().atMost(Duration.ofMillis(100));
    }
}

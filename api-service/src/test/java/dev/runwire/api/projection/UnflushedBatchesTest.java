package dev.runwire.api.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.run.RunEventStore.WalPosition;

/** When a batch written without waiting for its WAL flush is acknowledged, and when it is written again. */
class UnflushedBatchesTest {

    private static final UUID EPOCH = UUID.randomUUID();

    private final Deque<WalPosition> positions = new ArrayDeque<>();
    private final AtomicInteger newEpochs = new AtomicInteger();
    private final UnflushedBatches batches = new UnflushedBatches(() -> Uni.createFrom().item(positions.remove()),
            () -> {
                newEpochs.incrementAndGet();
                return Uni.createFrom().voidItem();
            });

    @Test
    void aBatchIsAcknowledgedOnceTheFlushPassesAPositionReadAfterItsCommit() {
        AtomicInteger acks = new AtomicInteger();
        batches.add(EPOCH, () -> Uni.createFrom().item(EPOCH), acks::incrementAndGet);

        positions.add(new WalPosition(100, 180, EPOCH)); // 180 is past the commit; only 100 is flushed
        batches.check();
        assertEquals(0, acks.get());
        positions.add(new WalPosition(179, 400, EPOCH));
        batches.check();
        assertEquals(0, acks.get(), "the mark stays the first position read after the commit");
        positions.add(new WalPosition(180, 500, EPOCH));
        batches.check();
        assertEquals(1, acks.get());
        assertEquals(0, batches.size());
        batches.check(); // nothing held: no query
        assertEquals(1, acks.get());
    }

    @Test
    void anIdleServerAcknowledgesAtTheFirstLook() {
        AtomicInteger acks = new AtomicInteger();
        batches.add(EPOCH, () -> Uni.createFrom().item(EPOCH), acks::incrementAndGet);
        positions.add(new WalPosition(300, 300, EPOCH));
        batches.check();
        assertEquals(1, acks.get());
    }

    @Test
    void aBatchOfAnotherEpochIsWrittenAgainAndAcknowledgedOnlyOnceThatIsFlushed() {
        UUID after = UUID.randomUUID();
        AtomicInteger acks = new AtomicInteger();
        AtomicInteger rewrites = new AtomicInteger();
        batches.add(EPOCH, () -> {
            rewrites.incrementAndGet();
            return Uni.createFrom().item(after);
        }, acks::incrementAndGet);

        positions.add(new WalPosition(1_000, 1_000, after)); // PostgreSQL recovered from a crash meanwhile
        batches.check();
        assertEquals(1, rewrites.get());
        assertEquals(0, acks.get(), "flushed past its old commit, which may be lost");
        positions.add(new WalPosition(1_500, 1_600, after));
        batches.check();
        assertEquals(0, acks.get());
        positions.add(new WalPosition(1_600, 1_700, after));
        batches.check();
        assertEquals(1, acks.get());
        assertEquals(1, rewrites.get());
    }

    @Test
    void noEpochAfterACrashStartsOneAndSettlesNothingYet() {
        AtomicInteger acks = new AtomicInteger();
        AtomicInteger rewrites = new AtomicInteger();
        batches.add(EPOCH, () -> {
            rewrites.incrementAndGet();
            return Uni.createFrom().item(EPOCH);
        }, acks::incrementAndGet);
        positions.add(new WalPosition(50, 50, null));
        batches.check();
        assertEquals(1, newEpochs.get());
        assertEquals(0, acks.get());
        assertEquals(0, rewrites.get());
    }

    @Test
    void aFailedLookKeepsTheBatchForTheNext() {
        AtomicInteger acks = new AtomicInteger();
        batches.add(EPOCH, () -> Uni.createFrom().item(EPOCH), acks::incrementAndGet);
        batches.check(); // no position: the query failed (positions is empty)
        assertEquals(0, acks.get());
        positions.add(new WalPosition(10, 10, EPOCH));
        batches.check();
        assertEquals(1, acks.get());
    }

    @Test
    void aRewriteThatFailsIsTriedAgainAtTheNextLook() {
        UUID after = UUID.randomUUID();
        AtomicInteger tries = new AtomicInteger();
        AtomicInteger acks = new AtomicInteger();
        batches.add(EPOCH, () -> tries.incrementAndGet() == 1
                ? Uni.createFrom().failure(new IllegalStateException("PostgreSQL away")) : Uni.createFrom().item(after),
                acks::incrementAndGet);
        positions.add(new WalPosition(10, 10, after));
        batches.check();
        positions.add(new WalPosition(20, 20, after));
        batches.check();
        assertEquals(2, tries.get());
        positions.add(new WalPosition(30, 30, after));
        batches.check();
        assertEquals(1, acks.get());
    }
}

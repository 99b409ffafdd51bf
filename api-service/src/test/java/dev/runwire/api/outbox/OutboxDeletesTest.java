package dev.runwire.api.outbox;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/** When a published command's outbox row is deleted: by a transaction that takes it, or by a statement of its own. */
class OutboxDeletesTest {

    private final Vertx vertx = Vertx.vertx();
    private final List<List<Long>> statements = new CopyOnWriteArrayList<>();
    private final OutboxDeletes deletes = new OutboxDeletes(new OutboxStore(null, null) {
        @Override
        Uni<Void> deleteOutbox(List<Long> ids) {
            statements.add(List.copyOf(ids));
            return Uni.createFrom().voidItem();
        }
    }, vertx);

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void idsTakenByATransactionCostNoStatementOfTheirOwn() {
        deletes.delete(1);
        deletes.delete(2);
        assertEquals(List.of(1L, 2L), deletes.take());
        // past the hold, and then some: nothing was left to delete on its own
        await().during(Duration.ofMillis(OutboxDeletes.HOLD_MILLIS * 3)).atMost(Duration.ofSeconds(5))
                .until(statements::isEmpty);
        assertEquals(List.of(), deletes.take());
    }

    @Test
    void idsNoTransactionTookAreDeletedTogetherAfterTheHold() {
        long start = System.nanoTime();
        deletes.delete(1);
        deletes.delete(2);
        deletes.delete(3);
        awaitStatements(1);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(OutboxDeletes.HOLD_MILLIS),
                "held before its own statement");
        assertEquals(List.of(List.of(1L, 2L, 3L)), statements);
    }

    @Test
    void idsOfAFailedTransactionAreGivenBackAndDeletedOnTheirOwn() {
        deletes.delete(7);
        List<Long> taken = deletes.take();
        deletes.giveBack(taken);
        awaitStatements(1);
        assertEquals(List.of(List.of(7L)), statements);
    }

    @Test
    void aTransactionTakesAtMostOneStatementsWorth() {
        for (long id = 0; id < OutboxDeletes.LARGEST + 10; id++) {
            deletes.delete(id);
        }
        assertEquals(OutboxDeletes.LARGEST, deletes.take().size());
        assertEquals(10, deletes.take().size());
    }

    private void awaitStatements(int n) {
        await().atMost(Duration.ofSeconds(5)).until(() -> statements.size() >= n);
        assertEquals(n, statements.size(), "statements: " + statements);
    }
}

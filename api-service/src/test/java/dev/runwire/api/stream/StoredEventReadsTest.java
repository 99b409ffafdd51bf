package dev.runwire.api.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.runwire.api.feed.StreamedEvent;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;

/**
 * The stored-event reads of streams are shared: one query per run at a time, every reader answered by a query that
 * started after it asked, with only the events after its own position.
 */
class StoredEventReadsTest {

    private final Vertx vertx = Vertx.vertx();
    private final Context reader = vertx.getOrCreateContext();
    /** The queries issued, in order, each completed by the test. */
    private final List<Query> queries = new CopyOnWriteArrayList<>();
    private final StoredEventReads reads = new StoredEventReads((runId, after) -> {
        Query query = new Query(runId, after, new CompletableFuture<>());
        queries.add(query);
        return Uni.createFrom().completionStage(query.result);
    });

    record Query(UUID runId, long after, CompletableFuture<List<RunEvent>> result) {
    }

    /** What one reader was answered, and on which context. */
    static final class Answer {
        volatile List<Long> seqs;
        volatile List<StreamedEvent> events;
        volatile Throwable failure;
        volatile Context context;

        Consumer<List<StreamedEvent>> events() {
            return events -> {
                context = Vertx.currentContext();
                this.events = events;
                seqs = events.stream().map(streamed -> streamed.event().seq()).toList();
            };
        }

        Consumer<Throwable> failed() {
            return e -> {
                context = Vertx.currentContext();
                failure = e;
            };
        }

        boolean answered() {
            return seqs != null || failure != null;
        }
    }

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void readersAskingWhileAQueryRunsShareTheNextOneAndGetOnlyTheirTail() {
        UUID run = UUID.randomUUID();
        Answer first = ask(run, 0);
        assertEquals(1, queries.size());
        Map<Integer, Answer> waiting = new ConcurrentHashMap<>();
        for (int i = 0; i < 500; i++) {
            waiting.put(i, ask(run, 3 + i % 5));
        }
        assertEquals(1, queries.size(), "one query per run in flight, whatever the readers");
        queries.get(0).result.complete(events(run, 1, 4));
        await(first::answered);
        assertEquals(List.of(1L, 2L, 3L, 4L), first.seqs);
        assertSame(reader, first.context, "answered on the reader's own context");
        // the 500 were not answered by a query that started before they asked: they share the next one
        await(() -> queries.size() == 2);
        assertEquals(3, queries.get(1).after, "from the earliest position among them");
        waiting.values().forEach(answer -> assertTrue(!answer.answered()));
        queries.get(1).result.complete(events(run, 4, 9));
        await(() -> waiting.values().stream().allMatch(Answer::answered));
        waiting.forEach((i, answer) -> assertEquals(LongStream.rangeClosed(4 + i % 5, 9).boxed().toList(), answer.seqs,
                "reader after " + (3 + i % 5)));
        // the readers of one query share its events, so each event's frame is encoded once for all of them
        StreamedEvent last = waiting.get(0).events.get(waiting.get(0).events.size() - 1);
        waiting.values().forEach(answer -> assertSame(last, answer.events.get(answer.events.size() - 1)));
        assertEquals(2, queries.size());
    }

    @Test
    void eachRunHasItsOwnQueryAndAFailureReachesEveryWaitingReader() {
        UUID one = UUID.randomUUID();
        UUID two = UUID.randomUUID();
        Answer a = ask(one, 0);
        Answer b = ask(two, 0);
        assertEquals(2, queries.size());
        Answer c = ask(one, 0);
        Answer d = ask(one, 2);
        queries.get(0).result.completeExceptionally(new IllegalStateException("database down"));
        await(a::answered);
        assertTrue(a.failure instanceof IllegalStateException, String.valueOf(a.failure));
        await(() -> queries.size() == 3);
        queries.get(2).result.completeExceptionally(new IllegalStateException("still down"));
        await(() -> c.answered() && d.answered());
        assertTrue(c.failure != null && d.failure != null);
        assertSame(reader, d.context);
        // the run is free again: a later reader gets a new query, and the other run was not disturbed
        Answer e = ask(one, 1);
        await(() -> queries.size() == 4);
        queries.get(3).result.complete(events(one, 1, 2));
        queries.get(1).result.complete(List.of());
        await(() -> e.answered() && b.answered());
        assertEquals(List.of(2L), e.seqs);
        assertEquals(List.of(), b.seqs);
    }

    private Answer ask(UUID run, long after) {
        Answer answer = new Answer();
        reads.after(run, after, reader, answer.events(), answer.failed());
        return answer;
    }

    private static List<RunEvent> events(UUID run, long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(seq -> new RunEvent(UUID.randomUUID(), run, seq,
                RunEventType.STEP_STARTED, "s" + seq, null, Instant.now(), null, null, null, null, null, null, null))
                .toList();
    }

    private static void await(Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(condition);
    }
}

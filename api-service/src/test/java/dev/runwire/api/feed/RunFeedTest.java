package dev.runwire.api.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.runwire.model.Topics;
import dev.runwire.model.event.EventRecords;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;

/**
 * The broadcast's reader: a caller waiting for a run's end is woken by its terminal event, and the run's other events
 * are skipped by their {@code rw-event} header before their value is read; a stream gets every event.
 */
class RunFeedTest {

    private final RunFeed feed = new RunFeed(new SimpleMeterRegistry());
    private final UUID runId = UUID.randomUUID();

    @Test
    void aWaiterIsWokenByTheEndAndTheOtherEventsAreNotEvenRead() {
        CompletableFuture<RunEvent> end = feed.register(runId);

        // a value no parser would take: only the header may decide that it is not the end
        feed.onEvent(record(RunEventType.RUN_STARTED.name(), "not json".getBytes(StandardCharsets.UTF_8)));
        feed.onEvent(record(RunEventType.STEP_SUCCEEDED.name(), "{".getBytes(StandardCharsets.UTF_8)));
        assertFalse(end.isDone());

        feed.onEvent(record(RunEventType.RUN_SUCCEEDED.name(), json(4, RunEventType.RUN_SUCCEEDED)));
        assertTrue(end.isDone());
        assertEquals(RunEventType.RUN_SUCCEEDED, end.join().type());
        assertEquals(0, feed.size());
    }

    @Test
    void aRecordWithoutTheHeaderOrWithAnUnknownTypeIsRead() {
        CompletableFuture<RunEvent> end = feed.register(runId);
        feed.onEvent(record(null, json(1, RunEventType.RUN_STARTED)));
        feed.onEvent(record("RUN_SOMETHING_NEW", json(2, RunEventType.STEP_STARTED)));
        assertFalse(end.isDone());

        feed.onEvent(record(null, json(3, RunEventType.RUN_FAILED)));
        assertEquals(RunEventType.RUN_FAILED, end.join().type());
    }

    @Test
    void aStreamGetsEveryEventWhateverItsHeader() {
        List<Long> seen = new ArrayList<>();
        feed.listen(runId, streamed -> seen.add(streamed.event().seq()));
        feed.onEvent(record(RunEventType.RUN_STARTED.name(), json(1, RunEventType.RUN_STARTED)));
        feed.onEvent(record(RunEventType.STEP_STARTED.name(), json(2, RunEventType.STEP_STARTED)));
        feed.onEvent(record(RunEventType.RUN_SUCCEEDED.name(), json(3, RunEventType.RUN_SUCCEEDED)));
        assertEquals(List.of(1L, 2L, 3L), seen);
    }

    @Test
    void aRecordOfSeveralEventsReachesStreamsInOrderAndWakesTheWaiterWithItsEnd() {
        CompletableFuture<RunEvent> end = feed.register(runId);
        List<Long> seen = new ArrayList<>();
        feed.listen(runId, streamed -> seen.add(streamed.event().seq()));
        feed.onEvent(record("RUN_STARTED,STEP_STARTED",
                EventRecords.join(List.of(json(1, RunEventType.RUN_STARTED), json(2, RunEventType.STEP_STARTED)))));
        assertFalse(end.isDone());
        feed.onEvent(record("STEP_SUCCEEDED,RUN_SUCCEEDED",
                EventRecords.join(List.of(json(3, RunEventType.STEP_SUCCEEDED), json(4, RunEventType.RUN_SUCCEEDED)))));
        assertEquals(List.of(1L, 2L, 3L, 4L), seen);
        assertEquals(RunEventType.RUN_SUCCEEDED, end.join().type());
    }

    @Test
    void aWaiterAloneSkipsARecordWhoseEventsCannotEndTheRun() {
        CompletableFuture<RunEvent> end = feed.register(runId);
        feed.onEvent(record("RUN_STARTED,STEP_STARTED", "[not json".getBytes(StandardCharsets.UTF_8)));
        feed.onEvent(record("STEP_SUCCEEDED,RUN_FAILED",
                EventRecords.join(List.of(json(3, RunEventType.STEP_SUCCEEDED), json(4, RunEventType.RUN_FAILED)))));
        assertEquals(RunEventType.RUN_FAILED, end.join().type());
    }

    private ConsumerRecord<String, byte[]> record(String eventType, byte[] value) {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(Topics.RUN_EVENTS, 0, 0, runId.toString(), value);
        record.headers().add(Topics.TYPE_HEADER, RunEvent.TYPE.getBytes(StandardCharsets.UTF_8));
        if (eventType != null) {
            record.headers().add(Topics.EVENT_HEADER, eventType.getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    private byte[] json(long seq, RunEventType type) {
        RunStatus status = type == RunEventType.RUN_FAILED ? RunStatus.FAILED
                : type.isTerminal() ? RunStatus.SUCCESS : RunStatus.RUNNING;
        RunEvent event = new RunEvent(RunEvent.idFor(runId, seq), runId, seq, type, null, null, Instant.now(), status,
                null, null, null, null, null, null);
        return Json.write(event).getBytes(StandardCharsets.UTF_8);
    }
}

package dev.runwire.model.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;

class EventRecordsTest {

    private static final UUID RUN = UUID.randomUUID();

    private static RunEvent event(UUID runId, long seq, RunEventType type, RunStatus status) {
        return new RunEvent(RunEvent.idFor(runId, seq), runId, seq, type, null, null, Instant.now(), status, null, null,
                null, null, null, null);
    }

    private static byte[] json(RunEvent event) throws Exception {
        return Json.mapper().writeValueAsBytes(event);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aLoneEventIsItsOwnObjectAsBeforeBatches() throws Exception {
        RunEvent started = event(RUN, 1, RunEventType.RUN_STARTED, RunStatus.RUNNING);
        byte[] value = EventRecords.join(List.of(json(started)));
        assertArrayEquals(json(started), value, "the value is the event's JSON itself");
        assertEquals(RunEvent.TYPE, EventRecords.type(1));
        assertEquals(List.of(started), EventRecords.read(value));
    }

    @Test
    void aWritesEventsAreOneArrayReadBackInOrder() throws Exception {
        List<RunEvent> events = List.of(event(RUN, 3, RunEventType.STEP_SUCCEEDED, RunStatus.RUNNING),
                event(RUN, 4, RunEventType.RUN_SUCCEEDED, RunStatus.SUCCESS));
        List<byte[]> written = List.of(json(events.get(0)), json(events.get(1)));
        byte[] value = EventRecords.join(written);
        assertEquals(EventRecords.size(written), value.length, "size() says the joined length without writing it");
        assertEquals('[', value[0]);
        assertEquals(EventRecords.BATCH_TYPE, EventRecords.type(2));
        assertEquals(events, EventRecords.read(value));
    }

    @Test
    void anythingElseIsRefusedWholeNeverThrown() throws Exception {
        String one = new String(json(event(RUN, 1, RunEventType.RUN_STARTED, RunStatus.RUNNING)),
                StandardCharsets.UTF_8);
        String other = new String(json(event(UUID.randomUUID(), 2, RunEventType.STEP_STARTED, RunStatus.RUNNING)),
                StandardCharsets.UTF_8);
        for (String value : List.of("", "not json", "[]", "[1]", "{}", "null", "\"x\"", "[" + one + ",", one + one,
                "[" + one + "] x", "[" + one + "," + other + "]", "[" + one + ",7]",
                "{\"runId\":\"" + RUN
                        + "\",\"seq\":1,\"type\":\"NO_SUCH\",\"status\":\"RUNNING\",\"at\":\"2026-01-01T00:00:00Z\"}",
                "{\"runId\":\"" + RUN + "\",\"seq\":1,\"type\":\"RUN_STARTED\",\"at\":\"2026-01-01T00:00:00Z\"}",
                "[".repeat(100_000) + "]".repeat(100_000))) {
            assertNull(EventRecords.read(bytes(value)), "refused: " + value.substring(0, Math.min(80, value.length())));
        }
        assertNull(EventRecords.read(null));
    }

    @Test
    void theEventHeaderTellsWhetherARecordMayEndARun() {
        String header = EventRecords.eventHeader(List.of(RunEventType.STEP_SUCCEEDED, RunEventType.RUN_SUCCEEDED));
        assertEquals("STEP_SUCCEEDED,RUN_SUCCEEDED", header);
        assertTrue(EventRecords.mayEndRun(bytes(header)));
        assertFalse(EventRecords.mayEndRun(bytes("RUN_STARTED,STEP_STARTED")));
        assertFalse(EventRecords.mayEndRun(bytes("STEP_RETRYING")));
        assertTrue(EventRecords.mayEndRun(null), "no header: the record must be parsed");
        assertTrue(EventRecords.mayEndRun(bytes("RUN_STARTED,SOMETHING_NEW")), "an unknown type may end the run");
    }
}

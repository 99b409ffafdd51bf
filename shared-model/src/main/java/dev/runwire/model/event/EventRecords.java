package dev.runwire.model.event;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import dev.runwire.model.json.Json;

/**
 * The values of records on the run-events topic. The events one write of a run produced (a single-step run's start and
 * its step's start, its step's end and its own) travel as one record, {@value #BATCH_TYPE}: a JSON array of
 * {@value RunEvent#TYPE} objects of that run, in sequence order. A lone event is a record of its own, the JSON object
 * itself, as before batches existed, so readers of either version understand it.
 */
public final class EventRecords {

    /** The {@code rw-type} of a record holding several events of one run. */
    public static final String BATCH_TYPE = "run.event-batch.v1";

    private EventRecords() {
    }

    /**
     * The events of a record's value; null when it is not one event or a non-empty array of events of one run, each
     * with its run, type, status and time (such a record goes to the dead-letter topic whole).
     */
    public static List<RunEvent> read(byte[] value) {
        if (value == null) {
            return null;
        }
        try (JsonParser parser = Json.mapper().createParser(value)) {
            JsonToken first = parser.nextToken();
            List<RunEvent> events = new ArrayList<>(2);
            if (first == JsonToken.START_OBJECT) {
                events.add(parser.readValueAs(RunEvent.class));
            } else if (first == JsonToken.START_ARRAY) {
                while (parser.nextToken() == JsonToken.START_OBJECT) {
                    events.add(parser.readValueAs(RunEvent.class));
                }
                if (parser.currentToken() != JsonToken.END_ARRAY) {
                    return null;
                }
            } else {
                return null;
            }
            if (parser.nextToken() != null || events.isEmpty()) {
                return null;
            }
            UUID runId = events.get(0).runId();
            for (RunEvent event : events) {
                if (event.runId() == null || !event.runId().equals(runId) || event.type() == null
                        || event.status() == null || event.at() == null) {
                    return null;
                }
            }
            return events;
        } catch (Exception | StackOverflowError e) {
            return null;
        }
    }

    /** The value of a record holding these events, each already written as a JSON object. */
    public static byte[] join(List<byte[]> events) {
        if (events.size() == 1) {
            return events.get(0);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size(events));
        out.write('[');
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(events.get(i));
        }
        out.write(']');
        return out.toByteArray();
    }

    /** The length of {@link #join}'s value for these events, without writing it. */
    public static int size(List<byte[]> events) {
        if (events.size() == 1) {
            return events.get(0).length;
        }
        int size = 1 + events.size();
        for (byte[] event : events) {
            size += event.length;
        }
        return size;
    }

    /** The {@code rw-type} header of a record holding {@code count} events. */
    public static String type(int count) {
        return count == 1 ? RunEvent.TYPE : BATCH_TYPE;
    }

    /** The {@code rw-event} header of a record holding events of these types: the types, comma-separated. */
    public static String eventHeader(List<RunEventType> types) {
        StringBuilder header = new StringBuilder();
        for (RunEventType type : types) {
            if (header.length() > 0) {
                header.append(',');
            }
            header.append(type.name());
        }
        return header.toString();
    }

    /**
     * False only when an {@code rw-event} header names types none of which ends a run; a missing or unreadable header
     * may end one (the record must be parsed).
     */
    public static boolean mayEndRun(byte[] header) {
        if (header == null) {
            return true;
        }
        for (String name : new String(header, StandardCharsets.UTF_8).split(",", -1)) {
            try {
                if (RunEventType.valueOf(name).isTerminal()) {
                    return true;
                }
            } catch (IllegalArgumentException e) {
                return true;
            }
        }
        return false;
    }
}

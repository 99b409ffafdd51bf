package dev.runwire.model;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Why a record was set aside on a dead-letter topic, and where it came from. The header names are the ones SmallRye's
 * own dead-letter strategy writes, so tools that read those read these.
 *
 * @param reason
 *            a short code: {@code not_json}, {@code unknown_type}, {@code invalid_record}, {@code unstorable}, ...
 * @param cause
 *            a one-line explanation without the record's content (it may hold secrets)
 */
public record DeadLetter(String reason, String cause, String topic, int partition, long offset) {

    public static final String REASON = "dead-letter-reason";
    public static final String CAUSE = "dead-letter-cause";
    public static final String TOPIC = "dead-letter-topic";
    public static final String PARTITION = "dead-letter-partition";
    public static final String OFFSET = "dead-letter-offset";

    /** The record headers that carry this. */
    public Headers headers() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, bytes(reason));
        headers.add(CAUSE, bytes(cause == null ? "" : cause));
        headers.add(TOPIC, bytes(topic));
        headers.add(PARTITION, bytes(Integer.toString(partition)));
        headers.add(OFFSET, bytes(Long.toString(offset)));
        return headers;
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}

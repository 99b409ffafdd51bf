package dev.runwire.executor.run;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

import dev.runwire.executor.config.ExecutorConfig;
import dev.runwire.model.Topics;
import dev.runwire.model.event.EventRecords;
import dev.runwire.model.event.RunEvent;

/** Publishes run events keyed by run id, in the order they are handed over; a write's events in one record. */
@ApplicationScoped
public class EventPublisher {

    private final MutinyEmitter<byte[]> emitter;
    private final Timer publishDelay;
    private final int maxRecordBytes;

    EventPublisher(
            @Channel("run-events") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 8192) MutinyEmitter<byte[]> emitter,
            MeterRegistry registry, ExecutorConfig config) {
        this.emitter = emitter;
        // a record holds as many of a write's events as one event may be large: what fits one broker message
        this.maxRecordBytes = config.execution().maxEventBytes();
        // from the event's creation to the broker's ack: the executor's share of a live reader's delay
        this.publishDelay = Timer.builder("runwire.executor.event.delay").publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    /**
     * Hands the event to the producer now (so events of one run keep their order) and returns a future that completes
     * when the broker has it.
     */
    public CompletableFuture<Void> publish(RunEvent event) {
        return publish(List.of(SerializedEvent.of(event)), null);
    }

    /** The same, in the run's trace: the record's producer span continues it (docs/adr/0041). */
    CompletableFuture<Void> publish(RunEvent event, Context trace) {
        return publish(List.of(SerializedEvent.of(event)), trace);
    }

    /** The stored events of a run, published again with their ids and sequences (the read model keeps each once). */
    CompletableFuture<Void> publishStored(List<RunEvent> events, Context trace) {
        return publish(SerializedEvent.all(events), trace);
    }

    /**
     * Hands the events of one write of a run to the producer now, as one record when they fit in one (a lone event is
     * its own record; see {@link EventRecords}), and returns a future that completes when the broker has them all. The
     * connector puts the trace's context (of its producer span) in the record's {@code traceparent} header; null: the
     * current one.
     */
    CompletableFuture<Void> publish(List<SerializedEvent> events, Context trace) {
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>(1);
        int start = 0;
        int size = 1;
        for (int i = 0; i < events.size(); i++) {
            int length = events.get(i).json().length + 1;
            if (i > start && size + length > maxRecordBytes) {
                sent.add(send(events.subList(start, i), trace));
                start = i;
                size = 1;
            }
            size += length;
        }
        sent.add(send(events.subList(start, events.size()), trace));
        return sent.size() == 1 ? sent.get(0) : CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> send(List<SerializedEvent> group, Context trace) {
        RunEvent last = group.get(group.size() - 1).event();
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.TYPE_HEADER, EventRecords.type(group.size()).getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.EVENT_HEADER, EventRecords.eventHeader(group.stream().map(e -> e.event().type()).toList())
                .getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder()
                .withKey(last.runId().toString()).withHeaders(headers).build();
        byte[] value = EventRecords.join(group.stream().map(SerializedEvent::json).toList());
        Message<byte[]> message = Message.of(value).addMetadata(metadata);
        if (trace != null) {
            message = message.addMetadata(TracingMetadata.withCurrent(trace));
        }
        return emitter.sendMessage(message)
                .invoke(() -> publishDelay.record(Duration.between(group.get(0).event().at(), Instant.now())))
                .subscribeAsCompletionStage();
    }
}

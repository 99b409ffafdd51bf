package dev.runwire.executor.run;

import java.time.Duration;
import java.time.Instant;
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

import dev.runwire.model.Topics;
import dev.runwire.model.event.RunEvent;

/** Publishes run events keyed by run id, in the order they are handed over. */
@ApplicationScoped
public class EventPublisher {

    private final MutinyEmitter<byte[]> emitter;
    private final Timer publishDelay;

    EventPublisher(
            @Channel("run-events") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 8192) MutinyEmitter<byte[]> emitter,
            MeterRegistry registry) {
        this.emitter = emitter;
        // from the event's creation to the broker's ack: the executor's share of a live reader's delay
        this.publishDelay = Timer.builder("runwire.executor.event.delay").publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    /**
     * Hands the event to the producer now (so events of one run keep their order) and returns a future that completes
     * when the broker has it.
     */
    public CompletableFuture<Void> publish(RunEvent event) {
        return publish(SerializedEvent.of(event), null);
    }

    /** The same, in the run's trace: the record's producer span continues it (docs/adr/0041). */
    CompletableFuture<Void> publish(RunEvent event, Context trace) {
        return publish(SerializedEvent.of(event), trace);
    }

    /**
     * The same, with the event's JSON already written: those bytes are the record's value. The connector puts the
     * trace's context (of its producer span) in the record's {@code traceparent} header; null: the current one.
     */
    CompletableFuture<Void> publish(SerializedEvent serialized, Context trace) {
        RunEvent event = serialized.event();
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.TYPE_HEADER, RunEvent.TYPE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        headers.add(Topics.EVENT_HEADER, event.type().name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder()
                .withKey(event.runId().toString()).withHeaders(headers).build();
        Message<byte[]> message = Message.of(serialized.json()).addMetadata(metadata);
        if (trace != null) {
            message = message.addMetadata(TracingMetadata.withCurrent(trace));
        }
        return emitter.sendMessage(message)
                .invoke(() -> publishDelay.record(Duration.between(event.at(), Instant.now())))
                .subscribeAsCompletionStage();
    }
}

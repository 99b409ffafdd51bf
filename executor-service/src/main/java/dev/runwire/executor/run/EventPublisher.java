package dev.runwire.executor.run;

import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

import dev.runwire.model.Topics;
import dev.runwire.model.event.RunEvent;

/** Publishes run events keyed by run id, in the order they are handed over. */
@ApplicationScoped
public class EventPublisher {

    private final MutinyEmitter<RunEvent> emitter;

    EventPublisher(
            @Channel("run-events") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 8192) MutinyEmitter<RunEvent> emitter) {
        this.emitter = emitter;
    }

    /**
     * Hands the event to the producer now (so events of one run keep their order) and returns a future that completes
     * when the broker has it.
     */
    public CompletableFuture<Void> publish(RunEvent event) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.TYPE_HEADER, RunEvent.TYPE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder()
                .withKey(event.runId().toString()).withHeaders(headers).build();
        return emitter.sendMessage(Message.of(event).addMetadata(metadata)).subscribeAsCompletionStage();
    }
}

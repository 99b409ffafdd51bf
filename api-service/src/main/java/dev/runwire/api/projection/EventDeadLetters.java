package dev.runwire.api.projection;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

import dev.runwire.model.DeadLetter;
import dev.runwire.model.Topics;

/**
 * Sets aside event records the read model cannot read or store on {@link Topics#RUN_EVENTS_DLQ}, with headers saying
 * why, and counts them ({@code runwire.dead.letters}): one such record never stops the read model.
 */
@ApplicationScoped
public class EventDeadLetters {

    private static final Logger LOG = Logger.getLogger(EventDeadLetters.class);

    private final MutinyEmitter<byte[]> emitter;
    private final MeterRegistry registry;

    EventDeadLetters(@Channel("run-events-dlq") MutinyEmitter<byte[]> emitter, MeterRegistry registry) {
        this.emitter = emitter;
        this.registry = registry;
    }

    /** Completes when the broker has the record, or could not take it (logged: a lost dead letter stops nothing). */
    CompletionStage<Void> send(String key, byte[] value, DeadLetter why) {
        LOG.warnf("event record %s-%d@%d set aside on %s: %s (%s)", why.topic(), why.partition(), why.offset(),
                Topics.RUN_EVENTS_DLQ, why.reason(), why.cause());
        registry.counter("runwire.dead.letters", "reason", why.reason()).increment();
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder().withKey(key)
                .withHeaders(why.headers()).build();
        return emitter.sendMessage(Message.of(value == null ? new byte[0] : value).addMetadata(metadata)).onFailure()
                .invoke(failure -> LOG.errorf("the dead letter of %s-%d@%d could not be sent: %s", why.topic(),
                        why.partition(), why.offset(), failure.getClass().getSimpleName()))
                .onFailure().recoverWithNull().subscribeAsCompletionStage();
    }
}

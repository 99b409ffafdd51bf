package dev.runwire.api.feed;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * Where this replica's broadcast consumer starts. Its group is its own, with no committed offset at first, and
 * {@code latest} alone would skip every event published between the replica's start and its first assignment: a stream
 * or a waiting caller accepted in that window would miss its run's events. A partition with no committed offset starts
 * at the first event published since shortly before the replica started; events of runs nobody here waits for are
 * skipped by their key.
 */
@ApplicationScoped
@Identifier(BroadcastStart.NAME)
public class BroadcastStart implements KafkaConsumerRebalanceListener {

    static final String NAME = "runwire.broadcast-start";
    private static final Logger LOG = Logger.getLogger(BroadcastStart.class);
    /** A margin for clocks: the broker's timestamps against this replica's. */
    private static final Duration MARGIN = Duration.ofSeconds(10);

    private final Instant started = Instant.now();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
        Set<TopicPartition> fresh = new HashSet<>();
        for (TopicPartition partition : partitions) {
            if (committed.get(partition) == null) {
                fresh.add(partition);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        // the end first: an event published while the times are looked up is after it, so it is not skipped
        Map<TopicPartition, Long> ends = consumer.endOffsets(fresh);
        Map<TopicPartition, Long> since = new HashMap<>();
        long from = started.minus(MARGIN).toEpochMilli();
        fresh.forEach(partition -> since.put(partition, from));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(since);
        offsets.forEach((partition, offset) -> {
            // none: no event since then, so the end as it was before the look-up
            Long position = offset != null ? Long.valueOf(offset.offset()) : ends.get(partition);
            if (position != null) {
                consumer.seek(partition, position);
            }
        });
        LOG.debugf("broadcast starts at the events published since %s on %d partitions", started.minus(MARGIN),
                fresh.size());
    }
}

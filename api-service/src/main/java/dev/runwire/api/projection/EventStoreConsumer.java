package dev.runwire.api.projection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.vertx.core.Vertx;

import dev.runwire.api.callback.CallbackDispatcher;
import dev.runwire.api.connection.RefusedCredentials;
import dev.runwire.api.feed.StoredEnds;
import dev.runwire.api.run.CallbackBodies;
import dev.runwire.api.run.RunEventStore;
import dev.runwire.model.DeadLetter;
import dev.runwire.model.Outages;
import dev.runwire.model.event.EventRecords;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.trace.RunTelemetry;
import dev.runwire.model.trace.TraceParents;

/**
 * Keeps the read model: each poll's events are written in one transaction by the replica that owns the partition (one
 * shared consumer group). The callbacks the events cause are enqueued in the same transaction. The transaction does not
 * wait for its WAL flush; the batch is acknowledged once PostgreSQL has flushed it ({@link UnflushedBatches}).
 * <p>
 * No record stops it: one that is not a run event goes to the dead-letter topic; a batch refused for anything but an
 * outage is written event by event, and an event refused alone, a few times, is set aside too. While PostgreSQL does
 * not answer, the batch is tried again with back-off.
 */
@ApplicationScoped
public class EventStoreConsumer {

    private static final Logger LOG = Logger.getLogger(EventStoreConsumer.class);
    /** Tries of an event alone, refused for anything but an outage, before it is set aside. */
    private static final int ALONE_ATTEMPTS = 3;
    /**
     * The longest pause between writes while PostgreSQL is away: a try costs one connection attempt, and the events
     * (answers to listings, callbacks) wait no longer than this once it is back.
     */
    private static final Duration OUTAGE_LONGEST_PAUSE = Duration.ofSeconds(5);
    /**
     * How often the WAL is looked at while batches wait for their flush (PostgreSQL's WAL writer flushes every 200 ms).
     */
    private static final long FLUSH_CHECK_MS = 50;
    /**
     * What {@link #storeAll} gives when it wrote nothing (every event set aside): the batch is acknowledged at once.
     */
    private static final UUID NOTHING_WRITTEN = new UUID(0, 0);

    private final RunEventStore store;
    private final MeterRegistry registry;
    private final CallbackDispatcher callbacks;
    private final RefusedCredentials refusals;
    private final EventDeadLetters deadLetters;
    private final CallbackBodies bodies;
    private final Vertx vertx;
    private final UnflushedBatches unflushed;
    private final StoredEnds storedEnds;
    private final Tracer tracer;
    private long timer = -1;
    /** When the batch in hand arrived ({@link System#nanoTime()}), 0 when none is. */
    private volatile long pendingSince;
    /** When a write last failed because PostgreSQL was away. */
    private volatile long lastOutage = System.nanoTime();

    EventStoreConsumer(RunEventStore store, MeterRegistry registry, CallbackDispatcher callbacks,
            RefusedCredentials refusals, EventDeadLetters deadLetters, CallbackBodies bodies, Vertx vertx,
            StoredEnds storedEnds, Tracer tracer) {
        this.tracer = tracer;
        this.bodies = bodies;
        this.storedEnds = storedEnds;
        this.vertx = vertx;
        this.unflushed = new UnflushedBatches(store::walPosition, store::newWalEpoch);
        this.store = store;
        this.registry = registry;
        this.callbacks = callbacks;
        this.refusals = refusals;
        this.deadLetters = deadLetters;
    }

    void start(@Observes StartupEvent event) {
        registry.gauge("runwire.read_model.unflushed_batches", unflushed, UnflushedBatches::size);
        timer = vertx.setPeriodic(FLUSH_CHECK_MS, id -> unflushed.check());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /**
     * An event with the record it came in, and its span in the read model: a child of the executor's producer span (the
     * record's {@code traceparent}), so the trace goes on here and, through the delivery row, to the event's callback.
     */
    private record Read(KafkaRecord<String, byte[]> record, RunEvent event, Span span) {
    }

    @Incoming("run-events-store")
    public Uni<Void> store(KafkaRecordBatch<String, byte[]> batch) {
        // the connector hands over one batch at a time: this is the one in hand
        pendingSince = System.nanoTime();
        List<Read> readable = new ArrayList<>();
        List<CompletableFuture<Void>> setAside = new ArrayList<>();
        for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
            List<RunEvent> events = EventRecords.read(record.getPayload());
            if (events == null) {
                setAside.add(deadLetter(record, "invalid_record", "the record is not a run event or events of one run")
                        .toCompletableFuture());
            } else {
                for (RunEvent event : events) {
                    Span span = tracer.spanBuilder("project run event")
                            .setParent(TraceParents.parent(record.getHeaders()))
                            .setAttribute(RunTelemetry.RUN_ID_ATTRIBUTE, event.runId().toString())
                            .setAttribute("runwire.event.type", event.type().name()).startSpan();
                    readable.add(new Read(record, event, span));
                }
            }
        }
        return Uni.createFrom().completionStage(CompletableFuture.allOf(setAside.toArray(CompletableFuture[]::new)))
                .chain(() -> storeAll(readable))
                // credentials an integration refused: renewed (or the account expired) before the offsets are committed
                .call(() -> refusals.onStored(readable.stream().map(Read::event).toList())).invoke(epoch -> {
                    if (NOTHING_WRITTEN.equals(epoch)) {
                        batch.ack();
                    } else {
                        unflushed.add(epoch, () -> storeAll(readable), batch::ack);
                    }
                }).replaceWithVoid().onTermination().invoke(() -> {
                    pendingSince = 0;
                    readable.forEach(read -> read.span().end());
                });
    }

    /**
     * Whether the batch in hand has waited longer than {@code stuckAfter} without PostgreSQL being away in that time: a
     * consumer that waits an outage out is not stuck (it resumes by itself), one that waits for nothing is.
     */
    public boolean stuck(Duration stuckAfter) {
        long since = pendingSince;
        long now = System.nanoTime();
        return since != 0 && now - since > stuckAfter.toNanos() && now - lastOutage > stuckAfter.toNanos();
    }

    /**
     * Writes the events; gives the WAL epoch they committed in: null when it is not known (none was set yet, or parts
     * committed in different ones), {@link #NOTHING_WRITTEN} when nothing was.
     */
    private Uni<UUID> storeAll(List<Read> reads) {
        List<RunEvent> events = reads.stream().map(Read::event).toList();
        return untilNoOutage(write(reads)).onFailure().recoverWithUni(refused -> {
            LOG.warnf(refused, "a batch of %d run events was refused; written one by one", events.size());
            List<UUID> epochs = new ArrayList<>();
            // a record of several events goes to the dead-letter topic once, whichever of them was refused
            Set<KafkaRecord<String, byte[]>> deadLettered = Collections.newSetFromMap(new IdentityHashMap<>());
            Uni<Void> oneByOne = Uni.createFrom().voidItem();
            for (Read read : reads) {
                oneByOne = oneByOne.chain(() -> untilNoOutage(write(List.of(read)).onFailure(f -> !Outages.isOutage(f))
                        .retry().withBackOff(Duration.ofMillis(500)).atMost(ALONE_ATTEMPTS - 1)).invoke(epochs::add)
                                .replaceWithVoid().onFailure()
                                .recoverWithUni(alone -> !deadLettered.add(read.record()) ? Uni.createFrom().voidItem()
                                        : Uni.createFrom().completionStage(deadLetter(read.record(), "unstorable",
                                                "the read model refused it: " + alone.getClass().getSimpleName()))));
            }
            return oneByOne.map(done -> epochs.isEmpty() ? NOTHING_WRITTEN
                    : epochs.stream().allMatch(e -> Objects.equals(e, epochs.get(0))) ? epochs.get(0) : null);
        });
    }

    /**
     * PostgreSQL away, the pool closing at shutdown: tried again however long it lasts, never set aside. A batch never
     * written is never acknowledged, so the next owner of the partition reads it again. Any other failure is the
     * events' (a NUL, a value too large, a bug they trigger): retrying it forever would stop the partition for every
     * owner, so after a few tries the event goes to the dead-letter topic, from where it can be replayed.
     */
    private <T> Uni<T> untilNoOutage(Uni<T> write) {
        return write.onFailure(Outages::isOutage).invoke(() -> lastOutage = System.nanoTime())
                .onFailure(Outages::isOutage).retry().withBackOff(Duration.ofMillis(500), OUTAGE_LONGEST_PAUSE)
                .indefinitely();
    }

    private Uni<UUID> write(List<Read> reads) {
        List<RunEvent> events = reads.stream().map(Read::event).toList();
        Map<RunEvent, String> traces = new IdentityHashMap<>();
        reads.forEach(read -> traces.put(read.event(), TraceParents.of(Context.root().with(read.span()))));
        return store.storeEvents(events, bodies::render, traces::get).invoke(stored -> {
            events.stream().filter(e -> e.type().isTerminal())
                    .forEach(e -> registry.counter("runwire.runs.finished", "status", e.status().name()).increment());
            // committed (visible, if not yet flushed): callers answered from the broadcast may go on
            storedEnds.stored(events.stream().filter(e -> e.type().isTerminal()).map(RunEvent::runId).toList());
            if (stored.enqueued()) {
                // committed: this replica sends them at once (any replica would, at its next poll)
                callbacks.wake();
            }
        }).map(stored -> events.isEmpty() ? NOTHING_WRITTEN : stored.epoch());
    }

    private java.util.concurrent.CompletionStage<Void> deadLetter(KafkaRecord<String, byte[]> record, String reason,
            String cause) {
        return deadLetters.send(record.getKey(), record.getPayload(),
                new DeadLetter(reason, cause, record.getTopic(), record.getPartition(),
                        record.getMetadata(io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata.class)
                                .map(meta -> meta.getOffset()).orElse(-1L)));
    }
}

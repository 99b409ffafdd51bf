package dev.runwire.model.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * What each of Runwire's meters measures (the HELP line an operator reads in Prometheus), in one place for both
 * services, and latency timers published as histograms with buckets, which SLOs and aggregation across replicas need (a
 * quantile from one process cannot be averaged with another's).
 */
public final class MeterDescriptions {

    /** Meter name (as registered, before the registry's naming convention) → what it measures. */
    public static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("runwire.accept.commits", "Transactions that stored accepted runs (several runs may share one)"),
            Map.entry("runwire.accept.writes", "Runs written by the acceptance transactions"),
            Map.entry("runwire.callbacks.attempts", "Callback delivery attempts, by outcome"),
            Map.entry("runwire.callbacks.failed",
                    "Callback deliveries given up after their last attempt (each also logged, with its run)"),
            Map.entry("runwire.callbacks.in_flight", "Callback deliveries being sent by this replica"),
            Map.entry("runwire.channels.stopped",
                    "Messaging channels that stopped (their stream failed), by channel; each stop is also logged"),
            Map.entry("runwire.dead.letters", "Records set aside on a dead-letter topic, by topic and reason"),
            Map.entry("runwire.executor.calls.canceled", "Integration calls canceled because their run was aborted"),
            Map.entry("runwire.executor.event.delay",
                    "Time from a run event's creation to its publication by the executor"),
            Map.entry("runwire.executor.runs.finished", "Runs the executor ended, by status"),
            Map.entry("runwire.executor.state.commits", "Transactions that stored executor run state"),
            Map.entry("runwire.executor.state.writes", "Run state writes stored by those transactions"),
            Map.entry("runwire.feed.delay",
                    "Time from a run event's creation to its arrival at this api-service replica"),
            Map.entry("runwire.idempotency.takeovers",
                    "Idempotency keys taken over from a replica that stopped renewing them"),
            Map.entry("runwire.integration.call", "Integration calls made by the executor, by outcome"),
            Map.entry("runwire.kafka.up",
                    "1 while this replica reaches the Kafka cluster (run requests are accepted), else 0"),
            Map.entry("runwire.oauth.grants",
                    "OAuth token grants requested from integrations, by grant type and outcome"),
            Map.entry("runwire.read_model.answer_looks",
                    "Looks at the read model by callers whose run's end was not announced to this replica in time"),
            Map.entry("runwire.read_model.answer_wait",
                    "Time a caller answered from the broadcast waited for the read model to store its run's end"),
            Map.entry("runwire.read_model.unflushed_batches",
                    "Read-model batches committed and waiting for PostgreSQL's WAL flush before their offsets are acknowledged"),
            Map.entry("runwire.runs.accepted", "Runs accepted, by surface"),
            Map.entry("runwire.runs.finished", "Runs that ended, as stored in the read model, by status"));

    /** The upper bounds of the latency buckets, in nanoseconds (Micrometer's base unit for timers' configuration). */
    private static final double[] BUCKETS = Stream
            .of(5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000)
            .mapToDouble(ms -> Duration.ofMillis(ms).toNanos()).toArray();

    private MeterDescriptions() {
    }

    /** Gives Runwire's meters their description and its timers histogram buckets. */
    public static MeterFilter filter() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String description = DESCRIPTIONS.get(id.getName());
                return description == null || description.equals(id.getDescription()) ? id : new Meter.Id(id.getName(),
                        Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
            }

            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return id.getType() == Meter.Type.TIMER
                        ? DistributionStatisticConfig.builder().serviceLevelObjectives(BUCKETS).build().merge(config)
                        : config;
            }
        };
    }
}

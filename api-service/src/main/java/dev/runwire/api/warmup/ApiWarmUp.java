package dev.runwire.api.warmup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import io.vertx.mutiny.sqlclient.Pool;

import dev.runwire.api.action.Schemas;
import dev.runwire.api.auth.ApiKeys;
import dev.runwire.api.config.ApiConfig;
import dev.runwire.api.run.RunActionRequest;
import dev.runwire.api.run.RunStore;
import dev.runwire.model.Topics;
import dev.runwire.model.event.EventRecords;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.startup.WarmUp;

/**
 * Not ready until the api-service has exercised its own hot paths once (bounded, {@code runwire.warm-up.max}): its pool
 * connected, its command producer's metadata fetched, the JSON of run requests and run events, a schema check, and the
 * statements of every request (an API key looked up, a run's stored end looked for) with values that match nothing. No
 * row, record or metric of a tenant comes of it. Measured with {@code ./runwire bench fresh}: ADR 0009, "Fresh start".
 */
@Readiness
@ApplicationScoped
public class ApiWarmUp implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ApiWarmUp.class);
    /** Rounds of the in-process steps: past the C1 compiler's thresholds (200 calls) for the code they run. */
    private static final int ROUNDS = 250;
    /** Rounds of the steps that go to PostgreSQL (each a round trip). */
    private static final int SQL_ROUNDS = 150;
    /** Connections opened at once: the ones a single caller's request, its events and its answer use together. */
    private static final int CONNECTIONS = 4;

    private static final String SCHEMA = """
            {"type":"object","properties":{"id":{"type":"string","minLength":1},"price":{"type":"number"},
             "tags":{"type":"array","items":{"type":"string"}}},"required":["id"]}""";

    private final ApiConfig config;
    private final Pool pool;
    private final ApiKeys keys;
    private final RunStore runs;
    private final Schemas schemas;
    private final KafkaClientService kafka;
    private volatile boolean done;

    ApiWarmUp(ApiConfig config, Pool pool, ApiKeys keys, RunStore runs, Schemas schemas, KafkaClientService kafka) {
        this.config = config;
        this.pool = pool;
        this.keys = keys;
        this.runs = runs;
        this.schemas = schemas;
        this.kafka = kafka;
    }

    void start(@Observes StartupEvent event) {
        if (!config.warmUp().enabled()) {
            done = true;
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                LOG.info(WarmUp.run(steps(), config.warmUp().max()));
            } catch (RuntimeException e) {
                LOG.warnf("the warm-up stopped: %s", e.toString());
            } finally {
                done = true;
            }
        }, "runwire-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("warm-up").status(done).build();
    }

    private List<WarmUp.Step> steps() {
        JsonNode schema = Json.tree(SCHEMA);
        JsonNode input = Json.tree("{\"id\":\"i1\",\"price\":12.5,\"tags\":[\"a\",\"b\"]}");
        String request = "{\"key\":\"warm_up\",\"userId\":\"warm-up\",\"input\":{\"id\":\"i1\"}}";
        // what costs a round trip first (it also gets the most code compiled early), then the in-process paths
        return List.of(new WarmUp.Step("pool", 1, this::connections),
                new WarmUp.Step("command producer", 1, this::producerMetadata),
                new WarmUp.Step("statements", SQL_ROUNDS,
                        () -> Uni.combine().all()
                                .unis(keys.ownerOf("rw_warm_up_" + UUID.randomUUID()),
                                        runs.endStored(UUID.randomUUID()))
                                .discardItems().subscribeAsCompletionStage()),
                WarmUp.Step.of("event json", ROUNDS, ApiWarmUp::eventsRoundTrip),
                WarmUp.Step.of("request json", ROUNDS, () -> Json.read(request, RunActionRequest.class)),
                new WarmUp.Step("schema check", ROUNDS,
                        () -> schemas.violations(schema, input, "/input").subscribeAsCompletionStage()));
    }

    /** Several connections at once, so the pool holds them before requests need them. */
    private CompletableFuture<?> connections() {
        List<Uni<?>> selects = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            selects.add(pool.query("select pg_sleep(0.02)").execute());
        }
        return Uni.combine().all().unis(selects).discardItems().subscribeAsCompletionStage();
    }

    /** The command channel's producer knows the topic's partitions and leaders before the first command. */
    private CompletableFuture<?> producerMetadata() {
        KafkaProducer<Object, Object> producer = kafka.getProducer("run-commands");
        return producer == null ? CompletableFuture.completedFuture(null)
                : producer.partitionsFor(Topics.RUN_COMMANDS).subscribeAsCompletionStage();
    }

    /**
     * A single-step run's events as the executor sends them (two records of two events), read as the broadcast and the
     * read model read them, written as the read model stores them. Never published, never stored.
     */
    private static void eventsRoundTrip() {
        UUID runId = UUID.randomUUID();
        Instant now = Instant.now();
        List<RunEvent> events = List.of(event(runId, 1, RunEventType.RUN_STARTED, RunStatus.RUNNING, now),
                event(runId, 2, RunEventType.STEP_STARTED, RunStatus.RUNNING, now),
                event(runId, 3, RunEventType.STEP_SUCCEEDED, RunStatus.RUNNING, now),
                event(runId, 4, RunEventType.RUN_SUCCEEDED, RunStatus.SUCCESS, now));
        for (int first = 0; first < events.size(); first += 2) {
            List<byte[]> values = new ArrayList<>();
            List<RunEventType> types = new ArrayList<>();
            for (RunEvent e : events.subList(first, first + 2)) {
                values.add(Json.write(e).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                types.add(e.type());
            }
            EventRecords.mayEndRun(EventRecords.eventHeader(types).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            List<RunEvent> read = EventRecords.read(EventRecords.join(values));
            if (read != null) {
                read.forEach(Json::write);
            }
        }
    }

    private static final JsonNode OUTPUT = Json.tree("{\"id\":\"i1\",\"price\":12.5}");

    private static RunEvent event(UUID runId, long seq, RunEventType type, RunStatus status, Instant at) {
        JsonNode output = type == RunEventType.RUN_SUCCEEDED || type == RunEventType.STEP_SUCCEEDED ? OUTPUT : null;
        return new RunEvent(UUID.randomUUID(), runId, seq, type, type.name().startsWith("STEP") ? "step-1" : null,
                "warm-up", at, status, null, output, null, null, null, null);
    }
}

package dev.runwire.executor.warmup;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.runwire.executor.config.ExecutorConfig;
import dev.runwire.executor.integration.ActionSchemas;
import dev.runwire.executor.integration.HttpIntegrationClient;
import dev.runwire.model.Topics;
import dev.runwire.model.command.RunAbortRequested;
import dev.runwire.model.command.RunCommand;
import dev.runwire.model.event.EventRecords;
import dev.runwire.model.event.RunEvent;
import dev.runwire.model.event.RunEventType;
import dev.runwire.model.json.Json;
import dev.runwire.model.run.RunStatus;
import dev.runwire.model.startup.WarmUp;

/**
 * Not ready until the executor-service has exercised its own hot paths once (bounded, {@code runwire.warm-up.max}): its
 * pool connected, its event producer's metadata fetched, the JSON of commands and events, an output schema check, its
 * run-state statement with an id that matches nothing, and its integration HTTP client against this service's own
 * health endpoint on 127.0.0.1. No run, row, record or run metric comes of it. ADR 0009, "Fresh start".
 */
@Readiness
@ApplicationScoped
public class ExecutorWarmUp implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ExecutorWarmUp.class);
    /** Rounds of the in-process steps: past the C1 compiler's thresholds (200 calls) for the code they run. */
    private static final int ROUNDS = 250;
    /** Rounds of the steps with a round trip (PostgreSQL, HTTP). */
    private static final int IO_ROUNDS = 150;
    /** Connections opened at once: a run's state writes and the lease renewals beside them. */
    private static final int CONNECTIONS = 4;

    private static final String SCHEMA = """
            {"type":"object","properties":{"id":{"type":"string","minLength":1},"price":{"type":"number"},
             "tags":{"type":"array","items":{"type":"string"}}},"required":["id","price"]}""";

    private final ExecutorConfig config;
    private final Pool pool;
    private final ActionSchemas schemas;
    private final HttpIntegrationClient http;
    private final KafkaClientService kafka;
    private final int managementPort;
    private volatile boolean done;

    ExecutorWarmUp(ExecutorConfig config, Pool pool, ActionSchemas schemas, HttpIntegrationClient http,
            KafkaClientService kafka,
            @ConfigProperty(name = "quarkus.management.port", defaultValue = "9001") int managementPort) {
        this.config = config;
        this.pool = pool;
        this.schemas = schemas;
        this.http = http;
        this.kafka = kafka;
        this.managementPort = managementPort;
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
        JsonNode output = Json.tree("{\"id\":\"i1\",\"price\":12.5,\"tags\":[\"a\",\"b\"]}");
        // what costs a round trip first (it also gets the most code compiled early), then the in-process paths
        return List.of(new WarmUp.Step("pool", 1, this::connections),
                new WarmUp.Step("event producer", 1, this::producerMetadata),
                new WarmUp.Step("statements", IO_ROUNDS, () -> pool
                        .preparedQuery("select status, next_seq, state::text from executor.runs where run_id = $1")
                        .execute(Tuple.of(UUID.randomUUID())).subscribeAsCompletionStage()),
                new WarmUp.Step("http client", IO_ROUNDS, () -> http.loopback(managementPort, "/q/health/live")),
                WarmUp.Step.of("command json", ROUNDS, ExecutorWarmUp::commandRoundTrip),
                WarmUp.Step.of("event json", ROUNDS, ExecutorWarmUp::eventRecords),
                WarmUp.Step.of("schema check", ROUNDS, () -> schemas.violations(schema, output)));
    }

    private CompletableFuture<?> connections() {
        List<Uni<?>> selects = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            selects.add(pool.query("select pg_sleep(0.02)").execute());
        }
        return Uni.combine().all().unis(selects).discardItems().subscribeAsCompletionStage();
    }

    private CompletableFuture<?> producerMetadata() {
        KafkaProducer<Object, Object> producer = kafka.getProducer("run-events");
        return producer == null ? CompletableFuture.completedFuture(null)
                : producer.partitionsFor(Topics.RUN_EVENTS).subscribeAsCompletionStage();
    }

    /** A command written and read as the consumer reads it (an abort: nothing acts on it here). */
    private static void commandRoundTrip() {
        try {
            byte[] value = Json.mapper()
                    .writeValueAsBytes(new RunAbortRequested(UUID.randomUUID(), UUID.randomUUID(), Instant.now()));
            Json.mapper().readValue(value, RunCommand.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A single-step run's events as they are written once and sent: two records of two events. Never sent. */
    private static void eventRecords() {
        UUID runId = UUID.randomUUID();
        Instant now = Instant.now();
        List<RunEvent> events = List.of(event(runId, 1, RunEventType.RUN_STARTED, RunStatus.RUNNING, now),
                event(runId, 2, RunEventType.STEP_STARTED, RunStatus.RUNNING, now),
                event(runId, 3, RunEventType.STEP_SUCCEEDED, RunStatus.RUNNING, now),
                event(runId, 4, RunEventType.RUN_SUCCEEDED, RunStatus.SUCCESS, now));
        try {
            for (int first = 0; first < events.size(); first += 2) {
                List<byte[]> values = new ArrayList<>();
                List<RunEventType> types = new ArrayList<>();
                for (RunEvent e : events.subList(first, first + 2)) {
                    values.add(Json.mapper().writeValueAsBytes(e));
                    types.add(e.type());
                }
                EventRecords.eventHeader(types).getBytes(StandardCharsets.UTF_8);
                EventRecords.join(values);
                new String(values.get(0), StandardCharsets.UTF_8);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final JsonNode OUTPUT = Json.tree("{\"id\":\"i1\",\"price\":12.5}");

    private static RunEvent event(UUID runId, long seq, RunEventType type, RunStatus status, Instant at) {
        JsonNode output = type == RunEventType.RUN_SUCCEEDED || type == RunEventType.STEP_SUCCEEDED ? OUTPUT : null;
        return new RunEvent(UUID.randomUUID(), runId, seq, type, type.name().startsWith("STEP") ? "step-1" : null,
                "warm-up", at, status, null, output, null, null, null, null);
    }
}

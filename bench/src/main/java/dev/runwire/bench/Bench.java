package dev.runwire.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

/**
 * Measures end-to-end synchronous action runs and, in the same run and at the same concurrency, the bare pieces they
 * are made of: the integration stub alone and a bare Kafka request/reply round trip. Each result is then also a ratio,
 * which survives a noisy machine. See README.md.
 */
public final class Bench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String apiUrl = env("RUNWIRE_URL", "http://127.0.0.1:8080");
    /** Health and metrics are on the services' management ports (ADR 0040). */
    private final String apiManagementUrl = env("RUNWIRE_API_MANAGEMENT_URL", "http://127.0.0.1:9080");
    private final String executorManagementUrl = env("RUNWIRE_EXECUTOR_MANAGEMENT_URL", "http://127.0.0.1:9081");
    private final String adminToken = env("RUNWIRE_ADMIN_TOKEN", null);
    /** The bench owner's rate limit per window: counted like any client's, high enough never to throttle. */
    private final int rateLimit = Integer.parseInt(env("BENCH_RATE_LIMIT", "100000000"));
    /**
     * The bench action's declared side effects: {@code none}, what a GET of an item is; another value measures a path
     * of the executor that depends on them (docs/adr/0009, "A run recorded with its outcome").
     */
    private final String sideEffects = env("BENCH_SIDE_EFFECTS", "none");
    private final String kafka = env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092");
    private final int concurrency = Integer.parseInt(env("BENCH_CONCURRENCY", "32"));
    private final int warmupSeconds = Integer.parseInt(env("BENCH_WARMUP_SECONDS", "30"));
    private final int seconds = Integer.parseInt(env("BENCH_SECONDS", "20"));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
    private final Api api = new Api(apiUrl, http);

    /**
     * {@code sync} (the default): synchronous action runs and their ceilings; {@code sse}: SSE fan-out;
     * {@code callbacks}: callback deliveries against the receiver's own ceiling; {@code fresh}: single requests right
     * after the services started.
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("sse")) {
            new SseFanout().run();
        } else if (args.length > 0 && args[0].equals("callbacks")) {
            new CallbackThroughput().run();
        } else if (args.length > 0 && args[0].equals("fresh")) {
            new Bench().fresh();
        } else {
            new Bench().run();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        try (Counters counters = counters()) {
            HttpServer stub = Api.stub("/items/", 0, 8);
            String stubUrl = "http://127.0.0.1:" + stub.getAddress().getPort();
            List<Window> windows = new ArrayList<>();
            windows.add(measure("bare integration (GET stub)", concurrency, seconds,
                    i -> timedGet(stubUrl + "/items/" + i), counters));
            try (KafkaRoundTrip roundTrip = new KafkaRoundTrip(kafka)) {
                windows.add(measure("bare Kafka round trip", concurrency, seconds, i -> roundTrip.send(), counters));
            }
            String apiKey = register("bench", stubUrl);
            Function<Long, CompletableFuture<Boolean>> runAction = i -> runAction(apiKey, i);
            windows.add(measure("end-to-end sync action run", concurrency, seconds, runAction, counters));
            // the same action as an MCP tool, at the same concurrency, right after the native window
            McpServer mcp = mcpServer(apiKey);
            windows.add(measure("end-to-end MCP tools/call", concurrency, seconds, i -> callTool(mcp, i), counters));
            windows.add(measure("end-to-end, 1 in flight", 1, Math.max(5, seconds / 4), runAction, counters));
            stub.stop(0);
            report(windows, counters);
        }
    }

    private Counters counters() {
        Counters counters = new Counters(Path.of(env("RUNWIRE_STATE", ".runwire")), kafka,
                env("BENCH_PG_URL", "jdbc:postgresql://127.0.0.1:5432/runwire"), env("BENCH_PG_USER", "runwire"),
                env("BENCH_PG_PASSWORD", "runwire"), apiManagementUrl, executorManagementUrl);
        System.out.println("measured processes (pid): " + counters.pids());
        counters.notes().forEach(note -> System.out.println("note: " + note));
        return counters;
    }

    /** A measurement window: its latencies and, when counters are read, its counts per request. */
    record Window(Latencies.Figures figures, Counters.Delta counts) {
    }

    private Window measure(String name, int workers, int windowSeconds, Function<Long, CompletableFuture<Boolean>> call,
            Counters counters) throws InterruptedException {
        return measure(name, workers, warmupSeconds, windowSeconds, call, counters);
    }

    /** Closed loop: {@code workers} callers, each sending the next request when its last one answered. */
    static Latencies.Figures measure(String name, int workers, int warmupSeconds, int windowSeconds,
            Function<Long, CompletableFuture<Boolean>> call) throws InterruptedException {
        return measure(name, workers, warmupSeconds, windowSeconds, call, null).figures();
    }

    /**
     * Closed loop, with the counters read at the window's start and end while the load still runs, so that what is in
     * flight or pending at either edge (PostgreSQL's statistics are flushed at most once a second per backend) is about
     * the same at both and cancels out.
     */
    static Window measure(String name, int workers, int warmupSeconds, int windowSeconds,
            Function<Long, CompletableFuture<Boolean>> call, Counters counters) throws InterruptedException {
        Latencies latencies = new Latencies(4_000_000);
        AtomicLong sequence = new AtomicLong();
        long end = System.nanoTime() + (warmupSeconds + windowSeconds) * 1_000_000_000L;
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop(call, sequence, latencies, end, done);
            loops.add(done);
        }
        Thread.sleep(warmupSeconds * 1000L);
        Counters.Snapshot before = counters == null ? null : counters.take();
        latencies.start();
        Thread.sleep(windowSeconds * 1000L);
        latencies.stop();
        Counters.Snapshot after = counters == null ? null : counters.take();
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new))
                .orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> null).join();
        Latencies.Figures figures = latencies.figures(name);
        System.out.println("measured: " + figures.row());
        Counters.Delta counts = counters == null ? null : counters.delta(before, after, figures.requests(),
                figures.perSecond() > 0 ? figures.requests() / figures.perSecond() : 0);
        return new Window(figures, counts);
    }

    private static void loop(Function<Long, CompletableFuture<Boolean>> call, AtomicLong sequence, Latencies latencies,
            long end, CompletableFuture<Void> done) {
        if (System.nanoTime() >= end) {
            done.complete(null);
            return;
        }
        long start = System.nanoTime();
        call.apply(sequence.incrementAndGet()).whenComplete((ok, failure) -> {
            if (failure == null && Boolean.TRUE.equals(ok)) {
                latencies.record(System.nanoTime() - start);
            } else {
                latencies.error();
            }
            loop(call, sequence, latencies, end, done);
        });
    }

    private CompletableFuture<Boolean> timedGet(String url) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).thenApply(r -> r.statusCode() == 200);
    }

    private CompletableFuture<Boolean> runAction(String apiKey, long i) {
        return runActionFor(apiKey, i).thenApply(runId -> runId != null);
    }

    /** One sync run; its run id when it answered 200 with the stub's output, else null. */
    private CompletableFuture<String> runActionFor(String apiKey, long i) {
        String id = "i" + i;
        String body = "{\"key\":\"bench_get_item\",\"userId\":\"bench\",\"input\":{\"id\":\"" + id + "\"}}";
        return http.sendAsync(api.post("/v1/actions/run", body).header("x-api-key", apiKey).build(),
                HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                    if (r.statusCode() != 200) {
                        return null;
                    }
                    try {
                        JsonNode answer = JSON.readTree(r.body());
                        return id.equals(answer.path("output").path("id").asText()) ? answer.path("runId").asText("?")
                                : null;
                    } catch (IOException e) {
                        return null;
                    }
                });
    }

    /** An MCP server of the bench owner, scoped to the bench action: its endpoint path and its token. */
    record McpServer(String path, String token) {
    }

    private McpServer mcpServer(String apiKey) throws Exception {
        JsonNode created = api.send(api
                .post("/v1/mcp-servers",
                        "{\"name\":\"bench\",\"userId\":\"bench\",\"actionKeys\":[\"bench_get_item\"]}")
                .header("x-api-key", apiKey), 201);
        return new McpServer("/mcp/" + created.path("id").asText(), created.path("token").asText());
    }

    /** One stateless tools/call with the server's token; true when it answered the stub's output as a success. */
    private CompletableFuture<Boolean> callTool(McpServer mcp, long i) {
        String id = "i" + i;
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":"
                + "\"bench_get_item\",\"arguments\":{\"id\":\"" + id + "\"}}}";
        return http.sendAsync(api.post(mcp.path(), body).header("Authorization", "Bearer " + mcp.token())
                .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", "2025-11-25")
                .build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                    if (r.statusCode() != 200) {
                        return false;
                    }
                    try {
                        JsonNode result = JSON.readTree(r.body()).path("result");
                        return !result.path("isError").asBoolean(true)
                                && id.equals(result.path("structuredContent").path("id").asText());
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    private String register(String owner, String stubUrl) throws Exception {
        return api.register(adminToken, owner, "bench-stub", stubUrl, rateLimit,
                """
                        {"key":"bench_get_item","intent":"Get an item",
                         "inputSchema":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]},
                         "outputSchema":{"type":"object","properties":{"id":{"type":"string"},"price":{"type":"number"}},"required":["id","price"]},
                         "useDefaultMapping":true,"type":"http",
                         "http":{"integrationKey":"bench-stub","method":"GET","path":"/items/{id}"},"timeoutMs":5000,"sideEffects":"%s"}"""
                        .formatted(sideEffects));
    }

    // ------------------------------------------------------------------ the report

    /** A figure, its target, and whether it is met; the target's sense is in {@code atMost}. */
    record Target(String name, double value, String unit, double target, boolean atMost) {

        boolean met() {
            return atMost ? value <= target : value >= target;
        }

        String line() {
            return String.format("%-52s %9.2f %-3s (target %s %s %s: %s)", name, value, unit, atMost ? "<=" : ">=",
                    trim(target), unit, met() ? "met" : "missed");
        }

        private static String trim(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    private void report(List<Window> windows, Counters counters) throws IOException {
        Window integration = windows.get(0);
        Window kafkaTrip = windows.get(1);
        Window e2e = windows.get(2);
        Window mcp = windows.get(3);
        Window single = windows.get(4);
        StringBuilder out = new StringBuilder();
        out.append(String.format("%nconcurrency %d, warm-up %d s, window %d s%n", concurrency, warmupSeconds, seconds));
        out.append(String.format("%-34s %9s %10s %8s %8s %8s %8s %7s%n", "", "requests", "req/s", "p50 ms", "p90 ms",
                "p99 ms", "max ms", "errors"));
        windows.forEach(w -> out.append(w.figures().row()).append('\n'));

        out.append(String
                .format("%nCPU ms per request (from /proc; machine = all cores busy, other = machine - listed)%n"));
        out.append(String.format("%-34s %8s %8s %8s %8s %8s %8s %8s %8s %6s%n", "", "api", "executor", "kafka",
                "postgres", "bench", "runwire", "machine", "other", "busy%"));
        for (Window w : windows) {
            Counters.Delta d = w.counts();
            out.append(String.format("%-34s %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %6.0f%n",
                    w.figures().name(), d.cpu("api-service"), d.cpu("executor-service"), d.cpu("kafka"),
                    d.cpu("postgresql"), d.cpu("bench"), runwireCpu(d), d.machineBusyMsPerUnit(), d.otherMsPerUnit(),
                    d.machineBusyPercent()));
        }

        out.append(
                String.format("%nof which JIT compiler threads (C1/C2), ms per request: not the services' own work%n"));
        out.append(String.format("%-34s %8s %8s %8s %8s %8s %17s%n", "", "api", "executor", "kafka", "", "bench",
                "runwire excl. JIT"));
        for (Window w : windows) {
            Counters.Delta d = w.counts();
            out.append(String.format("%-34s %8.3f %8.3f %8.3f %8s %8.3f %17.3f%n", w.figures().name(),
                    d.cpu("api-service.jit"), d.cpu("executor-service.jit"), d.cpu("kafka.jit"), "", d.cpu("bench.jit"),
                    runwireCpuWithoutJit(d)));
        }

        out.append(String.format("%nCounts per run%n%-44s %12s %12s %12s%n", "", "e2e", "MCP", "1 in flight"));
        for (String[] row : COUNT_ROWS) {
            out.append(String.format("%-44s %12.3f %12.3f %12.3f%n", row[1], e2e.counts().count(row[0]),
                    mcp.counts().count(row[0]), single.counts().count(row[0])));
        }
        out.append(String.format("%-44s %12.3f %12.3f %12.3f%n", "Kafka records produced (commands + events)",
                produced(e2e.counts()), produced(mcp.counts()), produced(single.counts())));
        out.append(String.format("%-44s %12.3f %12.3f %12.3f%n", "Kafka records consumed (api + executor)",
                consumed(e2e.counts()), consumed(mcp.counts()), consumed(single.counts())));
        out.append(String.format(
                "%nMCP tools/call beside the native sync run: %.1f %% of its throughput, p50 %+.2f ms, p99 %+.2f ms, "
                        + "Runwire CPU %+.3f ms per run%n",
                100 * mcp.figures().perSecond() / e2e.figures().perSecond(), mcp.figures().p50() - e2e.figures().p50(),
                mcp.figures().p99() - e2e.figures().p99(), runwireCpu(mcp.counts()) - runwireCpu(e2e.counts())));

        double kafkaTripCpu = kafkaTrip.counts().cpu("bench") + kafkaTrip.counts().cpu("kafka");
        double runwireCpu = runwireCpu(e2e.counts());
        List<Target> targets = List.of(
                new Target("Runwire CPU per run (api+executor+broker+PG)", runwireCpu, "ms", 2.5, true),
                new Target("PostgreSQL CPU per run", e2e.counts().cpu("postgresql"), "ms", 0.8, true),
                new Target("Runwire CPU per run / bare Kafka round trip CPU", runwireCpu / kafkaTripCpu, "x", 23, true),
                new Target("PostgreSQL write commits per run (xids)", e2e.counts().count("pg.xids"), "", 1.5, true),
                new Target("PostgreSQL WAL fsyncs per run (wal_sync)", e2e.counts().count("pg.wal_sync"), "", 0.6,
                        true),
                new Target("e2e / bare integration throughput",
                        100 * e2e.figures().perSecond() / integration.figures().perSecond(), "%", 7, false),
                new Target("e2e / bare Kafka round trip throughput",
                        100 * e2e.figures().perSecond() / kafkaTrip.figures().perSecond(), "%", 2.5, false),
                new Target("e2e p99 / bare Kafka round trip p99", e2e.figures().p99() / kafkaTrip.figures().p99(), "x",
                        25, true),
                new Target("single request p50", single.figures().p50(), "ms", 3, true));
        out.append(String.format(
                "%nCPU per bare Kafka round trip (bench JVM + broker): %.3f ms (bench %.3f, broker %.3f)%n",
                kafkaTripCpu, kafkaTrip.counts().cpu("bench"), kafkaTrip.counts().cpu("kafka")));
        out.append(
                String.format("Runwire CPU per run without JIT compiler threads: %.3f ms (%.1f x a Kafka round trip)%n",
                        runwireCpuWithoutJit(e2e.counts()), runwireCpuWithoutJit(e2e.counts()) / kafkaTripCpu));
        out.append(String.format("CPU per bare integration request (bench JVM: client + stub): %.3f ms%n",
                integration.counts().cpu("bench")));
        out.append(String.format("%nTargets of issue 14%n"));
        targets.forEach(t -> out.append(t.line()).append('\n'));
        out.append(String.format("%nPostgreSQL's WAL counters and transaction ids are server-wide; its CPU is every "
                + "process of the server; other databases' commits in the e2e window: %.0f (0 = no one else's load)%n",
                e2e.counts().count("pg.other_dbs.xact_commit") * e2e.figures().requests()));
        counters.notes().stream().distinct().forEach(note -> out.append("note: ").append(note).append('\n'));
        System.out.print(out);

        ObjectNode json = readResult();
        ObjectNode sync = json.putObject("sync");
        sync.put("measuredAt", Instant.now().toString());
        sync.put("concurrency", concurrency);
        sync.put("warmupSeconds", warmupSeconds);
        sync.put("seconds", seconds);
        sync.putPOJO("processes", counters.pids());
        sync.put("database", counters.database());
        ArrayNode results = sync.putArray("windows");
        for (Window w : windows) {
            ObjectNode node = results.addObject();
            node.setAll((ObjectNode) JSON.valueToTree(w.figures()));
            node.put("counterSeconds", w.counts().seconds());
            ObjectNode cpu = node.putObject("cpuMsPerRequest");
            w.counts().cpuMsPerUnit().forEach(cpu::put);
            cpu.put("runwire", runwireCpu(w.counts()));
            cpu.put("runwireWithoutJit", runwireCpuWithoutJit(w.counts()));
            cpu.put("machineBusy", w.counts().machineBusyMsPerUnit());
            cpu.put("other", w.counts().otherMsPerUnit());
            node.put("machineBusyPercent", w.counts().machineBusyPercent());
            ObjectNode counts = node.putObject("countsPerRequest");
            w.counts().perUnit().forEach(counts::put);
            counts.put("kafka.produced", produced(w.counts()));
            counts.put("kafka.consumed", consumed(w.counts()));
        }
        sync.put("kafkaRoundTripCpuMs", kafkaTripCpu);
        sync.put("runwireCpuMsPerRun", runwireCpu);
        sync.put("runwireCpuMsPerRunWithoutJit", runwireCpuWithoutJit(e2e.counts()));
        ObjectNode mcpVsNative = sync.putObject("mcpVsNative");
        mcpVsNative.put("throughputPercent", 100 * mcp.figures().perSecond() / e2e.figures().perSecond());
        mcpVsNative.put("p50DeltaMs", mcp.figures().p50() - e2e.figures().p50());
        mcpVsNative.put("p99DeltaMs", mcp.figures().p99() - e2e.figures().p99());
        mcpVsNative.put("runwireCpuMsPerRun", runwireCpu(mcp.counts()));
        ArrayNode targetNodes = sync.putArray("targets");
        for (Target t : targets) {
            targetNodes.addObject().put("name", t.name()).put("value", t.value()).put("unit", t.unit())
                    .put("target", t.target()).put("atMost", t.atMost()).put("met", t.met());
        }
        writeResult(json);
    }

    /** Rows of the counts table: counter name, label. */
    private static final String[][] COUNT_ROWS = { { "pg.xids", "PG write commits (xids taken, server-wide)" },
            { "pg.db.xact_commit", "PG commits in the runwire db (incl. read-only)" },
            { "pg.db.xact_rollback", "PG rollbacks in the runwire db" },
            { "pg.wal_sync", "PG WAL fsyncs (wal_sync, server-wide)" },
            { "pg.wal_write", "PG WAL writes (wal_write, server-wide)" },
            { "pg.wal_records", "PG WAL records (server-wide)" }, { "pg.wal_bytes", "PG WAL bytes (server-wide)" },
            { "pg.db.tup_inserted", "PG rows inserted (runwire db)" },
            { "pg.db.tup_updated", "PG rows updated (runwire db)" },
            { "pg.db.tup_deleted", "PG rows deleted (runwire db)" },
            { "pg.db.seq_scan", "PG sequential scans (runwire db)" },
            { "pg.db.seq_tup_read", "PG rows read by sequential scans (runwire db)" },
            { "kafka.end_offset.runwire.run-commands.v1", "Kafka records produced: commands" },
            { "kafka.end_offset.runwire.run-events.v1", "Kafka records produced: events" },
            { "kafka.end_offset.__consumer_offsets", "Kafka offset commits (__consumer_offsets)" },
            { "api-service.kafka_consumer_fetch_manager_records_consumed_total", "Kafka records consumed: api" },
            { "executor-service.kafka_consumer_fetch_manager_records_consumed_total",
                    "Kafka records consumed: executor" },
            { "api-service.kafka_producer_record_send_total", "Kafka records sent: api (client metric)" },
            { "executor-service.kafka_producer_record_send_total", "Kafka records sent: executor (client metric)" },
            { "api-service.kafka_producer_request_total", "Kafka produce requests: api" },
            { "executor-service.kafka_producer_request_total", "Kafka produce requests: executor" },
            { "api-service.kafka_consumer_fetch_manager_fetch_total", "Kafka fetches: api" },
            { "executor-service.kafka_consumer_fetch_manager_fetch_total", "Kafka fetches: executor" } };

    private static double runwireCpu(Counters.Delta d) {
        return d.cpu("api-service") + d.cpu("executor-service") + d.cpu("kafka") + d.cpu("postgresql");
    }

    /** Runwire's CPU without the JIT compiler threads of the three JVMs (api, executor, broker). */
    private static double runwireCpuWithoutJit(Counters.Delta d) {
        return runwireCpu(d) - zeroIfNaN(d.cpu("api-service.jit")) - zeroIfNaN(d.cpu("executor-service.jit"))
                - zeroIfNaN(d.cpu("kafka.jit"));
    }

    private static double zeroIfNaN(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static double produced(Counters.Delta d) {
        return d.count("kafka.end_offset.runwire.run-commands.v1") + d.count("kafka.end_offset.runwire.run-events.v1");
    }

    private static double consumed(Counters.Delta d) {
        return d.count("api-service.kafka_consumer_fetch_manager_records_consumed_total")
                + d.count("executor-service.kafka_consumer_fetch_manager_records_consumed_total");
    }

    // ------------------------------------------------------------------ fresh start

    /**
     * Right after the services started: {@code BENCH_FRESH_RUNS} single requests one after another, and how many took
     * more than 100 ms. For each slow one, the run's own timestamps say where the time went.
     */
    private void fresh() throws Exception {
        int runs = Integer.parseInt(env("BENCH_FRESH_RUNS", "200"));
        int block = 20;
        FreshLegs witness = new FreshLegs(kafka, env("BENCH_PG_URL", "jdbc:postgresql://127.0.0.1:5432/runwire"),
                env("BENCH_PG_USER", "runwire"), env("BENCH_PG_PASSWORD", "runwire"));
        HttpServer stub = Api.stub("/items/", 0, 8,
                (id, received, answered) -> witness.stubCalls.put(id, new FreshLegs.StubCall(received, answered)));
        String stubUrl = "http://127.0.0.1:" + stub.getAddress().getPort();
        long registering = System.nanoTime();
        String apiKey = register("bench-fresh", stubUrl);
        System.out.printf("registered the owner, integration and action in %.0f ms%n",
                (System.nanoTime() - registering) / 1e6);
        Path state = Path.of(env("RUNWIRE_STATE", ".runwire"));
        long apiPid = pidOf(state, "api-service");
        long executorPid = pidOf(state, "executor-service");
        long[] nanos = new long[runs];
        String[] runIds = new String[runs];
        Instant[] sentAt = new Instant[runs];
        Instant[] answeredAt = new Instant[runs];
        // per block of requests: CPU ticks of both services and of their JIT compiler threads at the block's start
        List<long[]> ticks = new ArrayList<>();
        int errors = 0;
        for (int i = 0; i < runs; i++) {
            if (i % block == 0) {
                ticks.add(serviceTicks(apiPid, executorPid));
            }
            sentAt[i] = Instant.now();
            long start = System.nanoTime();
            try {
                runIds[i] = runActionFor(apiKey, i).get();
            } catch (java.util.concurrent.ExecutionException e) {
                // no answer within the request's timeout (60 s): an error, and its time
                runIds[i] = null;
                System.out.println("request " + i + " failed: " + e.getCause());
            }
            nanos[i] = System.nanoTime() - start;
            answeredAt[i] = Instant.now();
            if (runIds[i] == null) {
                errors++;
            }
        }
        ticks.add(serviceTicks(apiPid, executorPid));
        // the read model's last notices and the witness consumer's last records
        Thread.sleep(500);
        witness.close();
        stub.stop(0);
        witness.notes().forEach(note -> System.out.println("note: " + note));
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        double p50 = sorted[(int) Math.ceil(0.5 * runs) - 1] / 1e6;
        double p99 = sorted[(int) Math.ceil(0.99 * runs) - 1] / 1e6;
        double max = sorted[runs - 1] / 1e6;
        double[][] legs = new double[runs][];
        for (int i = 0; i < runs; i++) {
            legs[i] = legs(apiKey, runIds[i], "i" + i, sentAt[i], answeredAt[i], witness);
        }
        ObjectNode json = readResult();
        ObjectNode fresh = json.putObject("freshStart");
        fresh.put("measuredAt", Instant.now().toString());
        StringBuilder out = new StringBuilder(
                String.format("%nfresh start: %d single requests one after another%n", runs));
        out.append(String.format("legs (ms): %s%n", String.join(", ", FreshLegs.NAMES)));
        String head = String.format("%-5s %8s", "#", "ms") + FreshLegs.HEADS.stream()
                .map(h -> String.format(" %10s", h)).collect(java.util.stream.Collectors.joining());
        out.append(String.format("%nrequests over 100 ms%n%s  run id%n", head));
        ArrayNode slow = fresh.putArray("over100ms");
        for (int i = 0; i < runs; i++) {
            double ms = nanos[i] / 1e6;
            if (ms > 100) {
                ObjectNode node = slow.addObject().put("index", i).put("ms", ms).put("runId", runIds[i]).put("sentAt",
                        sentAt[i].toString());
                legsInto(node, legs[i]);
                out.append(String.format("%-5d %8.1f%s  %s%n", i, ms, legColumns(legs[i]), runIds[i]));
            }
        }
        out.append(String.format(
                "%nmeans per block of %d requests; CPU ms of each service in the block (of which its "
                        + "C1/C2 compiler threads)%n%s %9s %9s %12s %12s%n",
                block, head.replace("#    ", "from "), "wall ms", "over 100", "api CPU", "executor CPU"));
        ArrayNode blocks = fresh.putArray("blocks");
        double msPerTick = 1000.0 / Counters.ticksPerSecondOfMachine();
        for (int b = 0; b * block < runs; b++) {
            int from = b * block;
            int to = Math.min(runs, from + block);
            double[] mean = new double[FreshLegs.NAMES.size()];
            for (int l = 0; l < mean.length; l++) {
                final int leg = l;
                mean[l] = java.util.stream.IntStream.range(from, to).mapToDouble(i -> legs[i][leg])
                        .filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
            }
            double meanMs = java.util.stream.IntStream.range(from, to).mapToDouble(i -> nanos[i] / 1e6).average()
                    .orElse(0);
            long overInBlock = java.util.stream.IntStream.range(from, to).filter(i -> nanos[i] > 100_000_000L).count();
            double wall = Duration.between(sentAt[from], answeredAt[to - 1]).toNanos() / 1e6;
            long[] a = ticks.get(b);
            long[] z = ticks.get(b + 1);
            double api = (z[0] - a[0]) * msPerTick;
            double apiJit = (z[1] - a[1]) * msPerTick;
            double executor = (z[2] - a[2]) * msPerTick;
            double executorJit = (z[3] - a[3]) * msPerTick;
            out.append(String.format("%-5d %8.1f%s %9.0f %9d %5.0f (%4.0f) %5.0f (%4.0f)%n", from, meanMs,
                    legColumns(mean), wall, overInBlock, api, apiJit, executor, executorJit));
            ObjectNode node = blocks.addObject().put("from", from).put("meanMs", meanMs).put("wallMs", wall)
                    .put("over100ms", overInBlock).put("apiCpuMs", api).put("apiJitCpuMs", apiJit)
                    .put("executorCpuMs", executor).put("executorJitCpuMs", executorJit);
            legsInto(node, mean);
        }
        long over = java.util.Arrays.stream(nanos).filter(n -> n > 100_000_000L).count();
        out.append(String.format(
                "%nrequests over 100 ms: %d of %d (target 0: %s); p50 %.2f ms, p99 %.2f ms, max %.1f ms; errors %d%n",
                over, runs, over == 0 ? "met" : "missed", p50, p99, max, errors));
        System.out.print(out);
        fresh.put("runs", runs);
        fresh.put("over100ms_count", over);
        fresh.put("p50", p50);
        fresh.put("p99", p99);
        fresh.put("max", max);
        fresh.put("errors", errors);
        ArrayNode all = fresh.putArray("latenciesMs");
        for (long n : nanos) {
            all.add(Math.round(n / 1e4) / 100.0);
        }
        ArrayNode allLegs = fresh.putArray("legsMs");
        for (double[] l : legs) {
            legsInto(allLegs.addObject(), l);
        }
        writeResult(json);
    }

    private static void legsInto(ObjectNode node, double[] legs) {
        for (int l = 0; l < legs.length; l++) {
            if (!Double.isNaN(legs[l])) {
                node.put(FreshLegs.NAMES.get(l), Math.round(legs[l] * 100) / 100.0);
            }
        }
    }

    private static String legColumns(double[] legs) {
        StringBuilder columns = new StringBuilder();
        for (double leg : legs) {
            columns.append(String.format(" %10.1f", leg));
        }
        return columns.toString();
    }

    private static long pidOf(Path state, String name) {
        try {
            return Long.parseLong(Files.readString(state.resolve(name + ".pid")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** CPU ticks of the api-service, its compiler threads, the executor-service, its compiler threads. */
    private static long[] serviceTicks(long apiPid, long executorPid) {
        return new long[] { apiPid < 0 ? 0 : Counters.processTicks(apiPid),
                apiPid < 0 ? 0 : Counters.compilerTicks(apiPid),
                executorPid < 0 ? 0 : Counters.processTicks(executorPid),
                executorPid < 0 ? 0 : Counters.compilerTicks(executorPid) };
    }

    /**
     * Where a request's time went, from its run read back with its events (one machine, one clock) and the witnesses'
     * timestamps: {@link FreshLegs#NAMES}.
     */
    private double[] legs(String apiKey, String runId, String stubId, Instant sent, Instant answered,
            FreshLegs witness) {
        double[] none = new double[FreshLegs.NAMES.size()];
        java.util.Arrays.fill(none, Double.NaN);
        if (runId == null) {
            return none;
        }
        try {
            JsonNode run = api.send(api.get("/v1/runs/" + runId + "?includeEvents=true").header("x-api-key", apiKey),
                    200);
            return witness.legs(runId, stubId, sent, answered, run);
        } catch (Exception e) {
            return none;
        }
    }

    private static ObjectNode readResult() throws IOException {
        Path file = RESULT;
        if (Files.exists(file)) {
            try {
                JsonNode existing = JSON.readTree(file.toFile());
                if (existing instanceof ObjectNode node) {
                    return node;
                }
            } catch (IOException e) {
                // an unreadable earlier result is replaced
            }
        }
        return JSON.createObjectNode();
    }

    private static void writeResult(ObjectNode json) throws IOException {
        Files.createDirectories(RESULT.getParent());
        Files.writeString(RESULT, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        System.out.println("written to " + RESULT);
    }

    private static final Path RESULT = Path.of("bench/target/bench-result.json");

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}

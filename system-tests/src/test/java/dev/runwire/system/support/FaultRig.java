package dev.runwire.system.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.json.Json;
import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * What the process-fault tests share: a Kafka broker and a PostgreSQL server of their own (so they may kill them), an
 * api-service and an executor-service on them, an integration that records every call with its {@code Idempotency-Key}
 * (what an idempotent receiver would see), a bounded load of synchronous, asynchronous and plan runs, a watch on both
 * services' liveness and readiness, and the checks and figures every outage must pass: every run answered 2xx ends
 * once, with contiguous events; a refused request gets 503 with {@code Retry-After} and writes nothing; each step
 * reaches the integration under one key.
 */
public final class FaultRig implements AutoCloseable {

    private static final String TERMINAL = "('SUCCESS','PARTIAL_SUCCESS','NO_SUCCESS','FAILED','CANCELED')";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public final OwnKafka kafka;
    public final OwnPostgres postgres;
    public final Stub stub;
    public final ServiceProcess api;
    public final ServiceProcess executor;
    public final Owner owner;
    public final HealthWatch health;
    private final String name;

    public FaultRig(String name) throws Exception {
        this.name = name;
        // what a failed start must stop again, newest first (service processes die with the test JVM)
        List<AutoCloseable> started = new ArrayList<>();
        kafka = new OwnKafka(name);
        started.add(kafka);
        try {
            kafka.start();
            kafka.createTopics();
            postgres = new OwnPostgres(name);
            started.add(0, postgres);
            postgres.start().createDatabase();
            stub = new Stub();
            started.add(0, stub);
            // each call takes a while, so that an outage always finds calls and runs in flight
            stub.on("/item/", 200, "{\"id\":\"i\",\"price\":1}", 150);
            Map<String, String> env = new HashMap<>();
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap());
            env.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.jdbcUrl().replaceFirst("^jdbc:", ""));
            env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl());
            env.put("RUNWIRE_RUN_SYNC_WAIT", "3s");
            api = ServiceProcess.api("api-" + name, SystemUnderTest.serviceEnv(env)).start();
            executor = ServiceProcess.executor("executor-" + name, SystemUnderTest.serviceEnv(env)).start();
            SystemUnderTest.awaitFlowing(api);
            owner = SystemUnderTest.ownerWithActions(api, stub, "item");
            health = new HealthWatch(api, executor);
        } catch (Exception | Error e) {
            for (AutoCloseable resource : started) {
                try {
                    resource.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------------ load

    /** One answer to a run request. */
    public record Answer(String kind, String item, int status, String runId, String retryAfter, long sentAt,
            long answeredAt, String body) {
        public boolean accepted() {
            return status >= 200 && status < 300;
        }
    }

    /** A bounded load: {@code clients} callers, each sending at most one request per {@code pace}. */
    public final class Load implements AutoCloseable {
        final List<Answer> answers = new CopyOnWriteArrayList<>();
        private final AtomicInteger sequence = new AtomicInteger();
        private final List<Thread> clients = new ArrayList<>();
        private volatile boolean running = true;

        public Load(int clientCount, Duration pace) {
            for (int i = 0; i < clientCount; i++) {
                Thread client = new Thread(() -> {
                    while (running) {
                        long started = System.nanoTime();
                        answers.add(send(sequence.incrementAndGet()));
                        long rest = pace.toNanos() - (System.nanoTime() - started);
                        if (rest > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(rest);
                        }
                    }
                }, "load-" + name + "-" + i);
                client.setDaemon(true);
                client.start();
                clients.add(client);
            }
        }

        public long acceptedSince(long at) {
            return answers.stream().filter(a -> a.accepted() && a.sentAt() >= at).count();
        }

        public long unavailableSince(long at) {
            return answers.stream().filter(a -> a.status() == 503 && a.sentAt() >= at).count();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread client : clients) {
                client.join(60_000);
            }
        }
    }

    public Load load(int clients, Duration pace) {
        return new Load(clients, pace);
    }

    /** A synchronous action run, an asynchronous one, or a plan of two steps, in turn. */
    private Answer send(int n) {
        String kind = List.of("sync", "async", "plan").get(n % 3);
        String item = kind.charAt(0) + "-" + n;
        Map<String, Object> body;
        String path;
        if (kind.equals("plan")) {
            path = "/v1/runs";
            body = Plans.runBody(List.of(Plans.step("A", "item", List.of(), Map.of("id", item + "-A")),
                    Plans.step("B", "item", List.of("A"), Map.of("id", item + "-B"))));
        } else {
            path = "/v1/actions/run";
            body = kind.equals("async")
                    ? Map.of("key", "item", "userId", "u", "input", Map.of("id", item), "async", true)
                    : Map.of("key", "item", "userId", "u", "input", Map.of("id", item));
        }
        long sentAt = System.currentTimeMillis();
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(api.url() + path)).timeout(Duration.ofSeconds(30))
                            .header("content-type", "application/json").header("x-api-key", owner.apiKey())
                            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            String runId = null;
            if (response.statusCode() / 100 == 2) {
                JsonNode answer = Json.mapper().readTree(response.body());
                runId = answer.path("runId").asText(null);
            }
            return new Answer(kind, item, response.statusCode(), runId,
                    response.headers().firstValue("Retry-After").orElse(null), sentAt, System.currentTimeMillis(),
                    response.statusCode() / 100 == 2 ? null : response.body());
        } catch (IOException e) {
            return new Answer(kind, item, -1, null, null, sentAt, System.currentTimeMillis(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(kind, item, -1, null, null, sentAt, System.currentTimeMillis(), e.toString());
        }
    }

    // ------------------------------------------------------------------------------------------------ outages

    /** What one outage did. */
    public record OutageFigures(String name, long inFlight, long unavailable, long acceptedWhileDown, long downMillis,
            long restartMillis, long acceptingAfterMillis, Map<String, Long> readyAfterMillis, long caughtUpMillis,
            Map<String, Boolean> notReadySeen, Map<String, Long> notLive) {
    }

    /**
     * Takes something away under load, keeps it away at least {@code atLeast} and until both services said they are not
     * ready and a request got 503, brings it back, and waits until both services are ready and runs are accepted again
     * by themselves.
     */
    public OutageFigures outage(String outage, Load load, Fault down, Fault up, Duration atLeast) throws Exception {
        long before = load.acceptedSince(0);
        Awaitility.await("runs accepted before " + outage).atMost(Duration.ofSeconds(60))
                .until(() -> load.acceptedSince(0) >= before + 30);
        // counted from the store a moment before the fault (PostgreSQL may be what goes)
        long inFlight = count(
                "select count(*) from api.runs where owner_id = '" + owner.id() + "' and status not in " + TERMINAL);
        String acceptedBefore = load.answers.stream().filter(Answer::accepted).map(a -> "'" + a.runId() + "'")
                .collect(Collectors.joining(","));
        long downAt = System.currentTimeMillis();
        down.run();
        Awaitility.await(outage + ": both services not ready, a request refused with 503")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> System.currentTimeMillis() - downAt >= atLeast.toMillis()
                        && health.sawNotReady("api", downAt) && health.sawNotReady("executor", downAt)
                        && load.unavailableSince(downAt) > 0);
        long upAt = System.currentTimeMillis();
        up.run();
        long backAt = System.currentTimeMillis();
        Awaitility.await(outage + ": ready again and accepting runs by themselves").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200)).until(() -> health.ready("api", upAt)
                        && health.ready("executor", upAt) && load.acceptedSince(upAt) > 0);
        long recovered = System.currentTimeMillis();
        // every run accepted before the fault has ended in the read model: the whole pipeline has caught up
        Awaitility.await(outage + ": runs accepted before the fault ended").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200)).until(() -> count("select count(*) from api.runs where id in ("
                        + acceptedBefore + ") and status not in " + TERMINAL) == 0);
        long caughtUp = System.currentTimeMillis();
        // a few more runs after the recovery, to see the system whole again
        Awaitility.await(outage + ": runs after recovery").atMost(Duration.ofSeconds(60))
                .until(() -> load.acceptedSince(recovered) >= 15);
        long accepting = load.answers.stream().filter(a -> a.accepted() && a.sentAt() >= backAt)
                .mapToLong(Answer::sentAt).min().orElse(recovered);
        // what kept each service not ready once the infrastructure was back
        for (String service : List.of("api", "executor")) {
            health.probes.stream()
                    .filter(p -> p.service().equals(service) && p.kind().equals("ready") && p.at() >= backAt
                            && p.status() != 200)
                    .reduce((first, second) -> second)
                    .ifPresent(p -> System.out.printf("  %s: %s last not ready %d ms after it was back: %s%n", outage,
                            service, p.at() - backAt, p.body()));
        }
        long acceptedWhileDown = load.answers.stream()
                .filter(a -> a.accepted() && a.sentAt() > downAt + 3_000 && a.sentAt() < upAt).count();
        return new OutageFigures(outage, inFlight, load.unavailableSince(downAt) - load.unavailableSince(upAt),
                acceptedWhileDown, upAt - downAt, backAt - upAt, accepting - backAt,
                Map.of("api", health.readyAt("api", backAt) - backAt, "executor",
                        health.readyAt("executor", backAt) - backAt),
                caughtUp - backAt,
                Map.of("api", health.sawNotReady("api", downAt), "executor", health.sawNotReady("executor", downAt)),
                Map.of("api", health.notLive("api", downAt), "executor", health.notLive("executor", downAt)));
    }

    /** Something that stops or starts a piece of infrastructure. */
    public interface Fault {
        void run() throws Exception;
    }

    // ------------------------------------------------------------------------------------------------ checks

    /** The promises after the outages, checked on every request the load made; prints the figures. */
    public void verify(Load load, List<OutageFigures> outages) throws Exception {
        List<Answer> answers = List.copyOf(load.answers);
        List<Answer> accepted = answers.stream().filter(Answer::accepted).toList();
        List<Answer> refused = answers.stream().filter(a -> a.status() == 503).toList();
        List<Answer> other = answers.stream().filter(a -> !a.accepted() && a.status() != 503).toList();
        assertTrue(accepted.stream().allMatch(a -> a.runId() != null), "every accepted run has an id");
        Set<String> acceptedIds = accepted.stream().map(Answer::runId).collect(Collectors.toSet());
        assertEquals(accepted.size(), acceptedIds.size(), "one run per accepted request");

        // a refused request wrote nothing: the owner's runs are exactly the accepted ones
        Set<String> stored = query("select id::text from api.runs where owner_id = '" + owner.id() + "'").stream()
                .map(row -> (String) row.get(0)).collect(Collectors.toSet());
        Set<String> written = new HashSet<>(stored);
        written.removeAll(acceptedIds);

        String ids = acceptedIds.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
        long start = System.currentTimeMillis();
        try {
            Awaitility.await("every accepted run ended").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> count("select count(*) from api.runs where status in " + TERMINAL + " and id in ("
                            + ids + ")") == acceptedIds.size());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // counted and reported below
        }
        long drainMillis = System.currentTimeMillis() - start;
        // every command published and its outbox row gone (the request path or the relay deletes it after the send)
        try {
            Awaitility.await("outbox emptied").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> count("select count(*) from api.outbox") == 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // counted and reported below
        }
        long outboxLeft = count("select count(*) from api.outbox");
        long lost = acceptedIds.size()
                - count("select count(*) from api.runs where status in " + TERMINAL + " and id in (" + ids + ")");

        // the read model: per run, events 1..n, each once, one terminal event and it is the last
        List<List<Object>> perRun = query("select r.id::text, r.status, r.last_seq, count(e.seq), "
                + "count(distinct e.seq), coalesce(min(e.seq), 0), coalesce(max(e.seq), 0), count(distinct e.event_id), "
                + "count(*) filter (where e.type in ('RUN_SUCCEEDED','RUN_FAILED','RUN_PARTIAL_SUCCESS',"
                + "'RUN_NO_SUCCESS','RUN_CANCELED')), "
                + "(array_agg(e.type order by e.seq desc))[1] from api.runs r left join api.run_events e "
                + "on e.run_id = r.id where r.id in (" + ids + ") group by r.id, r.status, r.last_seq");
        long duplicateEvents = 0;
        List<String> gapped = new ArrayList<>();
        List<String> notSucceeded = new ArrayList<>();
        for (List<Object> row : perRun) {
            long events = (Long) row.get(3);
            long distinctSeq = (Long) row.get(4);
            long distinctIds = (Long) row.get(7);
            duplicateEvents += events - Math.min(distinctSeq, distinctIds);
            if (distinctSeq != events || ((Number) row.get(5)).longValue() != 1
                    || ((Number) row.get(6)).longValue() != events || ((Number) row.get(2)).longValue() != events
                    || (Long) row.get(8) != 1 || !String.valueOf(row.get(9)).startsWith("RUN_")) {
                gapped.add(row.toString());
            }
            if (!"SUCCESS".equals(row.get(1))) {
                notSucceeded.add(row.get(0) + " " + row.get(1));
            }
        }
        // the API agrees, event by event (its replay is what SSE resumes from)
        List<String> apiDisagrees = new ArrayList<>();
        for (String runId : acceptedIds) {
            JsonNode run = get("/v1/runs/" + runId + "?includeEvents=true");
            List<Long> seqs = new ArrayList<>();
            run.path("events").forEach(event -> seqs.add(event.path("seq").asLong()));
            for (int i = 0; i < seqs.size(); i++) {
                if (seqs.get(i) != i + 1) {
                    apiDisagrees.add(runId + " " + seqs);
                    break;
                }
            }
            if (seqs.isEmpty() || !run.path("status").asText().equals("SUCCESS")) {
                apiDisagrees.add(runId + " " + run.path("status").asText() + " " + seqs);
            }
        }

        // the integration, seen as an idempotent receiver would: one effect per Idempotency-Key
        Set<String> expectedItems = new HashSet<>();
        accepted.forEach(a -> {
            if (a.kind().equals("plan")) {
                expectedItems.add(a.item() + "-A");
                expectedItems.add(a.item() + "-B");
            } else {
                expectedItems.add(a.item());
            }
        });
        Map<String, List<Stub.Received>> callsByItem = stub.receivedUnder("/item/").stream()
                .collect(Collectors.groupingBy(r -> r.path().substring("/item/".length())));
        long withoutKey = callsByItem.values().stream().flatMap(List::stream)
                .filter(r -> r.header("Idempotency-Key") == null).count();
        long repeatedCalls = 0;
        long duplicateEffects = 0;
        long underTwoKeys = 0;
        for (List<Stub.Received> calls : callsByItem.values()) {
            Set<String> keys = calls.stream().map(r -> r.header("Idempotency-Key")).filter(Objects::nonNull)
                    .collect(Collectors.toSet());
            repeatedCalls += calls.size() - 1;
            duplicateEffects += Math.max(0, keys.size() - 1);
            if (keys.size() > 1) {
                underTwoKeys++;
            }
        }
        Set<String> notCalled = new HashSet<>(expectedItems);
        notCalled.removeAll(callsByItem.keySet());
        Set<String> calledForRefused = new HashSet<>(callsByItem.keySet());
        calledForRefused.removeAll(expectedItems);

        System.out.printf(
                "%n==== %s: %d requests, %d accepted (%d sync, %d async, %d plan), %d refused with 503, "
                        + "%d other; all accepted runs ended %d ms after the load stopped%n",
                name, answers.size(), accepted.size(), accepted.stream().filter(a -> a.kind().equals("sync")).count(),
                accepted.stream().filter(a -> a.kind().equals("async")).count(),
                accepted.stream().filter(a -> a.kind().equals("plan")).count(), refused.size(), other.size(),
                drainMillis);
        for (OutageFigures o : outages) {
            System.out.printf(
                    "  %-26s runs in flight at the fault %d | down %d ms | 503 while down %d "
                            + "| accepted while down (after 3 s) %d | restart took %d ms | once back: accepting runs "
                            + "after %d ms, ready after %s ms, runs accepted before the fault all ended after %d ms "
                            + "| not ready seen %s | liveness DOWN answers %s%n",
                    o.name(), o.inFlight(), o.downMillis(), o.unavailable(), o.acceptedWhileDown(), o.restartMillis(),
                    o.acceptingAfterMillis(), o.readyAfterMillis(), o.caughtUpMillis(), o.notReadySeen(), o.notLive());
        }
        System.out.printf(
                "  runs lost %d | outbox rows left %d | runs written for refused requests %d | 503 without Retry-After %d "
                        + "| duplicate events %d | runs with a gap or a wrong end %d | not SUCCESS %d "
                        + "| API replay disagrees %d%n",
                lost, outboxLeft, written.size(), refused.stream().filter(a -> a.retryAfter() == null).count(),
                duplicateEvents, gapped.size(), notSucceeded.size(), apiDisagrees.size());
        System.out.printf("  integration: %d calls for %d steps | duplicate effects at an idempotent receiver %d | "
                + "steps called under two keys %d | calls repeated under the same key %d | calls without a key %d | "
                + "steps never called %d | calls for refused requests %d%n%n",
                callsByItem.values().stream().mapToInt(List::size).sum(), expectedItems.size(), duplicateEffects,
                underTwoKeys, repeatedCalls, withoutKey, notCalled.size(), calledForRefused.size());

        assertEquals(List.of(), other.stream().limit(5).toList(), "answers other than 2xx and 503");
        assertEquals(List.of(), refused.stream().filter(a -> a.retryAfter() == null).limit(5).toList(),
                "503 without Retry-After");
        assertEquals(Set.of(), written, "runs written for requests that were refused");
        assertEquals(0, lost, "runs lost");
        assertEquals(0, outboxLeft, "outbox rows left");
        assertEquals(0, duplicateEvents, "duplicate events");
        assertEquals(List.of(), gapped.stream().limit(5).toList(), "runs with a gap, a duplicate or a wrong end");
        assertEquals(List.of(), notSucceeded.stream().limit(5).toList(), "runs that did not succeed");
        assertEquals(List.of(), apiDisagrees.stream().limit(5).toList(), "runs whose API events disagree");
        assertEquals(0, duplicateEffects, "duplicate effects at an idempotent receiver");
        assertEquals(0, underTwoKeys, "steps called under two keys");
        assertEquals(0, withoutKey, "calls without an Idempotency-Key");
        assertEquals(Set.of(), notCalled, "steps of accepted runs never called");
        assertEquals(Set.of(), calledForRefused, "calls for refused requests");
        for (OutageFigures o : outages) {
            assertTrue(o.inFlight() > 0, o.name() + ": runs were in flight at the fault");
            assertTrue(o.unavailable() > 0, o.name() + ": requests were refused while it was down");
            assertEquals(Map.of("api", true, "executor", true), o.notReadySeen(),
                    o.name() + ": both services said they were not ready");
            assertEquals(Map.of("api", 0L, "executor", 0L), o.notLive(),
                    o.name() + ": liveness stayed UP (health answers: " + health.notLiveBodies() + ")");
        }
    }

    public long count(String sql) throws SQLException {
        return ((Number) query(sql).get(0).get(0)).longValue();
    }

    public List<List<Object>> query(String sql) throws SQLException {
        return SystemUnderTest.query(postgres.jdbcUrl(), sql);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(api.url() + path))
                .timeout(Duration.ofSeconds(10)).header("x-api-key", owner.apiKey()).build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(response.body());
    }

    @Override
    public void close() throws Exception {
        health.close();
        try (OwnKafka k = kafka; OwnPostgres p = postgres; Stub s = stub) {
            executor.stop();
            api.stop();
            ServiceProcess.assertNoThreadBlocked(api, executor);
        }
    }

    // ------------------------------------------------------------------------------------------------ health

    /** Both services' liveness and readiness, asked every 250 ms, with the answers kept. */
    public static final class HealthWatch implements AutoCloseable {

        /** One answer of a health endpoint; status -1 when the service did not answer. */
        public record Probe(long at, String service, String kind, int status, String body) {
        }

        final List<Probe> probes = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        public HealthWatch(ServiceProcess api, ServiceProcess executor) {
            Map<String, ServiceProcess> services = Map.of("api", api, "executor", executor);
            thread = new Thread(() -> {
                while (running) {
                    long started = System.nanoTime();
                    services.forEach((service, process) -> {
                        for (String kind : List.of("live", "ready")) {
                            probes.add(probe(service, process, kind));
                        }
                    });
                    long rest = Duration.ofMillis(250).toNanos() - (System.nanoTime() - started);
                    if (rest > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(rest);
                    }
                }
            }, "health-watch");
            thread.setDaemon(true);
            thread.start();
        }

        private static Probe probe(String service, ServiceProcess process, String kind) {
            long at = System.currentTimeMillis();
            try {
                HttpResponse<String> response = HTTP
                        .send(HttpRequest.newBuilder(URI.create(process.managementUrl() + "/q/health/" + kind))
                                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                return new Probe(at, service, kind, response.statusCode(),
                        response.statusCode() == 200 ? null : response.body());
            } catch (IOException e) {
                return new Probe(at, service, kind, -1, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Probe(at, service, kind, -1, e.toString());
            }
        }

        public boolean sawNotReady(String service, long since) {
            return probes.stream().anyMatch(p -> p.service().equals(service) && p.kind().equals("ready")
                    && p.at() >= since && p.status() != 200);
        }

        /** When the service first answered ready after {@code since}. */
        public long readyAt(String service, long since) {
            return probes.stream().filter(p -> p.service().equals(service) && p.kind().equals("ready")
                    && p.at() >= since && p.status() == 200).mapToLong(Probe::at).min().orElse(Long.MAX_VALUE);
        }

        /** Whether the service's last readiness answer, asked after {@code since}, was UP. */
        public boolean ready(String service, long since) {
            return probes.stream()
                    .filter(p -> p.service().equals(service) && p.kind().equals("ready") && p.at() >= since)
                    .reduce((first, second) -> second).map(p -> p.status() == 200).orElse(false);
        }

        public long notLive(String service, long since) {
            return probes.stream().filter(
                    p -> p.service().equals(service) && p.kind().equals("live") && p.at() >= since && p.status() != 200)
                    .count();
        }

        public List<String> notLiveBodies() {
            return probes.stream().filter(p -> p.kind().equals("live") && p.status() != 200).limit(3)
                    .map(p -> p.service() + ": " + p.body()).toList();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }
}

package dev.runwire.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The counters a measurement window is judged by, read at its start and at its end: the CPU time of every process from
 * {@code /proc}, PostgreSQL's transaction, WAL and row counters, the topics' end offsets, and the services' Kafka
 * client metrics. Counts survive a noisy machine where times do not. See README.md, "How the counts are taken".
 */
final class Counters implements AutoCloseable {

    /** The processes whose CPU is measured, in the order they are reported. */
    static final List<String> PROCESSES = List.of("api-service", "executor-service", "kafka", "postgresql", "bench");

    /** The topics whose records a run produces. */
    static final List<String> TOPICS = List.of("runwire.run-commands.v1", "runwire.run-events.v1");

    private static final String OFFSETS_TOPIC = "__consumer_offsets";

    /** Service metrics summed per service (client-level series only: the per-topic series would count twice). */
    private static final List<String> METRICS = List.of("kafka_consumer_fetch_manager_records_consumed_total",
            "kafka_consumer_fetch_manager_fetch_total", "kafka_producer_record_send_total",
            "kafka_producer_request_total");

    private final long ticksPerSecond = clockTicks();
    private final Map<String, Long> pids = new LinkedHashMap<>();
    private final Connection pg;
    private final String database;
    private final Admin admin;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, String> metricsUrls = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    /**
     * @param state
     *            the {@code runwire} script's state folder, where the services' and the broker's pid files are
     * @param apiManagementUrl
     *            where the api-service serves its metrics (its management port)
     * @param executorManagementUrl
     *            where the executor-service serves its metrics
     */
    Counters(Path state, String kafka, String pgUrl, String pgUser, String pgPassword, String apiManagementUrl,
            String executorManagementUrl) {
        pid(state, "api-service");
        pid(state, "executor-service");
        pid(state, "kafka");
        pids.put("bench", ProcessHandle.current().pid());
        Connection connection = null;
        String db = null;
        try {
            connection = DriverManager.getConnection(pgUrl, pgUser, pgPassword);
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("select pg_backend_pid(), current_database()")) {
                rows.next();
                // this connection's backend is a child of the postmaster: its parent is the server
                pids.put("postgresql", parentOf(rows.getLong(1)));
                db = rows.getString(2);
            }
        } catch (SQLException | IOException e) {
            notes.add("PostgreSQL counters unavailable: " + e.getMessage());
        }
        pg = connection;
        database = db;
        Properties config = new Properties();
        config.put("bootstrap.servers", kafka);
        admin = Admin.create(config);
        metricsUrls.put("api-service", apiManagementUrl + "/q/metrics");
        metricsUrls.put("executor-service", executorManagementUrl + "/q/metrics");
    }

    List<String> notes() {
        return notes;
    }

    Map<String, Long> pids() {
        return pids;
    }

    /** Everything at one instant (as near as a few reads allow). */
    record Snapshot(long nanos, Map<String, Long> cpuTicks, long machineBusyTicks, long machineTicks,
            Map<String, Long> pg, Map<String, Long> offsets, Map<String, Long> metrics) {
    }

    Snapshot take() {
        long nanos = System.nanoTime();
        Map<String, Long> cpu = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            if (name.equals("postgresql")) {
                cpu.put(name, treeTicks(pid));
            } else {
                cpu.put(name, processTicks(pid));
                cpu.put(name + ".jit", compilerTicks(pid));
            }
        });
        long[] machine = machineTicks();
        return new Snapshot(nanos, cpu, machine[0], machine[1], pgCounters(), offsets(), metrics());
    }

    /** The difference of two snapshots, per unit (a run, a round trip, a request). */
    record Delta(double seconds, long units, Map<String, Double> cpuMsPerUnit, double machineBusyMsPerUnit,
            double otherMsPerUnit, double machineBusyPercent, Map<String, Double> perUnit) {

        double cpu(String process) {
            return cpuMsPerUnit.getOrDefault(process, Double.NaN);
        }

        double count(String name) {
            return perUnit.getOrDefault(name, Double.NaN);
        }
    }

    /**
     * Per unit: {@code units} were completed in {@code unitSeconds} of the latency window; the counters' window is a
     * few milliseconds longer (the reads), so the units are scaled to it.
     */
    Delta delta(Snapshot from, Snapshot to, long units, double unitSeconds) {
        double seconds = (to.nanos - from.nanos) / 1e9;
        double scaledUnits = unitSeconds > 0 ? units * seconds / unitSeconds : units;
        double msPerTick = 1000.0 / ticksPerSecond;
        Map<String, Double> cpu = new LinkedHashMap<>();
        double listed = 0;
        for (String process : PROCESSES) {
            Long a = from.cpuTicks.get(process);
            Long b = to.cpuTicks.get(process);
            if (a != null && b != null && a >= 0 && b >= 0) {
                double ms = (b - a) * msPerTick;
                listed += ms;
                cpu.put(process, ms / scaledUnits);
            }
            Long jitA = from.cpuTicks.get(process + ".jit");
            Long jitB = to.cpuTicks.get(process + ".jit");
            if (jitA != null && jitB != null && jitA >= 0 && jitB >= 0) {
                cpu.put(process + ".jit", (jitB - jitA) * msPerTick / scaledUnits);
            }
        }
        double busy = (to.machineBusyTicks - from.machineBusyTicks) * msPerTick;
        double all = (to.machineTicks - from.machineTicks) * msPerTick;
        Map<String, Double> counts = new LinkedHashMap<>();
        difference(from.pg, to.pg, scaledUnits, counts);
        difference(from.offsets, to.offsets, scaledUnits, counts);
        difference(from.metrics, to.metrics, scaledUnits, counts);
        // each read of pg_current_xact_id() takes an id of its own: the later read's is not the window's
        counts.computeIfPresent("pg.xids", (k, v) -> v - 1 / scaledUnits);
        return new Delta(seconds, units, cpu, busy / scaledUnits, (busy - listed) / scaledUnits,
                all > 0 ? 100 * busy / all : Double.NaN, counts);
    }

    private static void difference(Map<String, Long> from, Map<String, Long> to, double units,
            Map<String, Double> into) {
        to.forEach((name, value) -> {
            Long before = from.get(name);
            if (before != null) {
                into.put(name, (value - before) / units);
            }
        });
    }

    // ------------------------------------------------------------------ CPU from /proc

    private void pid(Path state, String name) {
        try {
            pids.put(name, Long.parseLong(Files.readString(state.resolve(name + ".pid")).trim()));
        } catch (IOException | NumberFormatException e) {
            notes.add("no pid for " + name + " in " + state + ": its CPU is not measured");
        }
    }

    /** utime + stime of a process: all its threads, the exited ones included. */
    static long processTicks(long pid) {
        long[] stat = stat(pid);
        return stat == null ? -1 : stat[1] + stat[2];
    }

    /** utime and stime of a process apart: the user-space work and the kernel's (for a server, mostly its sockets). */
    static long[] userSystemTicks(long pid) {
        long[] stat = stat(pid);
        return stat == null ? new long[] { -1, -1 } : new long[] { stat[1], stat[2] };
    }

    /**
     * utime + stime of a JVM's JIT compiler threads ({@code C1/C2 CompilerThread}) alive now. Right after a start, and
     * for minutes on a starved machine, they take a large share of a service's CPU: reported apart so that the rest is
     * the service's own work. A compiler thread that exits takes its time out of this sum (the JVM starts and stops
     * them as the queue grows and shrinks), so the figure is a lower bound.
     */
    static long compilerTicks(long pid) {
        long sum = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm")).trim();
                } catch (IOException e) {
                    continue;
                }
                if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                    long[] stat = stat(task.resolve("stat"));
                    if (stat != null) {
                        sum += stat[1] + stat[2];
                    }
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return sum;
    }

    /**
     * A server and its children: the server's own time, the time of the children it has reaped (cutime, cstime: the
     * backends that ended), and the time of every child alive now. A backend that ends inside the window moves from the
     * last sum to the second, so nothing is lost or counted twice.
     */
    static long treeTicks(long pid) {
        long[] server = stat(pid);
        if (server == null) {
            return -1;
        }
        long sum = server[1] + server[2] + server[3] + server[4];
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long[] child = stat(Long.parseLong(name));
                if (child != null && child[0] == pid) {
                    sum += child[1] + child[2] + child[3] + child[4];
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return sum;
    }

    /** ppid, utime, stime, cutime, cstime of {@code /proc/<pid>/stat}; null when the process is gone. */
    private static long[] stat(long pid) {
        return stat(Path.of("/proc", Long.toString(pid), "stat"));
    }

    private static long[] stat(Path file) {
        String line;
        try {
            line = Files.readString(file);
        } catch (IOException e) {
            return null;
        }
        // the command name may hold spaces and parentheses: the fields start after the last ')'
        String[] fields = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17
        return new long[] { Long.parseLong(fields[1]), Long.parseLong(fields[11]), Long.parseLong(fields[12]),
                Long.parseLong(fields[13]), Long.parseLong(fields[14]) };
    }

    private static long parentOf(long pid) throws IOException {
        long[] stat = stat(pid);
        if (stat == null) {
            throw new IOException("no process " + pid);
        }
        return stat[0];
    }

    /** The machine's busy ticks (all but idle and iowait) and all its ticks, over all cores. */
    private static long[] machineTicks() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] fields = cpu.trim().split("\\s+");
            long all = 0;
            // user nice system idle iowait irq softirq steal (guest time is already in user)
            for (int i = 1; i <= Math.min(8, fields.length - 1); i++) {
                all += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
            return new long[] { all - idle, all };
        } catch (IOException | RuntimeException e) {
            return new long[] { 0, 0 };
        }
    }

    /** Clock ticks per second of {@code /proc}'s CPU times. */
    static long ticksPerSecondOfMachine() {
        return clockTicks();
    }

    private static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            getconf.waitFor();
            return Long.parseLong(out);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100;
        }
    }

    // ------------------------------------------------------------------ PostgreSQL

    private Map<String, Long> pgCounters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        if (pg == null) {
            return counters;
        }
        try (Statement statement = pg.createStatement()) {
            // transaction ids are taken by writing transactions only (server-wide: every database)
            try (ResultSet rows = statement.executeQuery("select pg_current_xact_id()::text::bigint")) {
                rows.next();
                counters.put("pg.xids", rows.getLong(1));
            }
            try (ResultSet rows = statement.executeQuery("""
                    select xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched
                      from pg_stat_database where datname = current_database()""")) {
                rows.next();
                counters.put("pg.db.xact_commit", rows.getLong(1));
                counters.put("pg.db.xact_rollback", rows.getLong(2));
                counters.put("pg.db.tup_inserted", rows.getLong(3));
                counters.put("pg.db.tup_updated", rows.getLong(4));
                counters.put("pg.db.tup_deleted", rows.getLong(5));
                counters.put("pg.db.tup_fetched", rows.getLong(6));
            }
            // a statement planned as a sequential scan of a growing table costs more with every run stored
            try (ResultSet rows = statement.executeQuery("""
                    select coalesce(sum(seq_scan), 0)::bigint, coalesce(sum(seq_tup_read), 0)::bigint
                      from pg_stat_user_tables""")) {
                rows.next();
                counters.put("pg.db.seq_scan", rows.getLong(1));
                counters.put("pg.db.seq_tup_read", rows.getLong(2));
            }
            try (ResultSet rows = statement.executeQuery("""
                    select coalesce(sum(xact_commit), 0)::bigint from pg_stat_database
                     where datname is distinct from current_database()""")) {
                rows.next();
                counters.put("pg.other_dbs.xact_commit", rows.getLong(1));
            }
            try (ResultSet rows = statement.executeQuery(
                    "select wal_records, wal_fpi, wal_bytes::bigint, wal_write, wal_sync from pg_stat_wal")) {
                rows.next();
                counters.put("pg.wal_records", rows.getLong(1));
                counters.put("pg.wal_fpi", rows.getLong(2));
                counters.put("pg.wal_bytes", rows.getLong(3));
                counters.put("pg.wal_write", rows.getLong(4));
                counters.put("pg.wal_sync", rows.getLong(5));
            }
        } catch (SQLException e) {
            notes.add("PostgreSQL counters failed: " + e.getMessage());
        }
        return counters;
    }

    String database() {
        return database;
    }

    // ------------------------------------------------------------------ Kafka

    private Map<String, Long> offsets() {
        Map<String, Long> offsets = new LinkedHashMap<>();
        try {
            List<String> topics = new ArrayList<>(TOPICS);
            topics.add(OFFSETS_TOPIC);
            Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
            admin.describeTopics(topics).allTopicNames().get().forEach((topic, description) -> description.partitions()
                    .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
            admin.listOffsets(request).all().get().forEach((partition, info) -> offsets
                    .merge("kafka.end_offset." + partition.topic(), info.offset(), Long::sum));
        } catch (Exception e) {
            notes.add("Kafka end offsets failed: " + e.getMessage());
        }
        return offsets;
    }

    // ------------------------------------------------------------------ service metrics

    private Map<String, Long> metrics() {
        Map<String, Long> sums = new LinkedHashMap<>();
        metricsUrls.forEach((service, url) -> {
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    notes.add("metrics of " + service + " answered " + response.statusCode());
                    return;
                }
                // A consumer's records-consumed-total exists per client and per topic under one name; once the
                // per-topic series exist Micrometer drops the per-client one. So: the per-topic series when there are
                // any (the topic's real name only, not Kafka's copy with '.' turned into '_'), else the per-client one.
                Map<String, Long> perClient = new LinkedHashMap<>();
                Map<String, Long> perTopic = new LinkedHashMap<>();
                for (String line : response.body().split("\n")) {
                    for (String metric : METRICS) {
                        if (line.startsWith(metric + "{")) {
                            long value = Math.round(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                            int topic = line.indexOf("topic=\"");
                            if (topic < 0) {
                                perClient.merge(metric, value, Long::sum);
                            } else if (line.substring(topic + 7, line.indexOf('"', topic + 7)).contains(".")) {
                                perTopic.merge(metric, value, Long::sum);
                            }
                        }
                    }
                }
                for (String metric : METRICS) {
                    Long value = perTopic.containsKey(metric) ? perTopic.get(metric) : perClient.get(metric);
                    if (value != null) {
                        sums.put(service + "." + metric, value);
                    }
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                notes.add("metrics of " + service + " unavailable: " + e.getMessage());
            }
        });
        return sums;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
        if (pg != null) {
            try {
                pg.close();
            } catch (SQLException e) {
                // closing at exit
            }
        }
    }
}

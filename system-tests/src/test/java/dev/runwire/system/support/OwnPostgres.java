package dev.runwire.system.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

/**
 * A PostgreSQL server of a test's own ({@code initdb} and {@code pg_ctl} from Debian's packages, in
 * {@code RUNWIRE_PG_BIN}), in a temporary folder and on a free port, with the role and database the services use: a
 * test may stop it ({@code pg_ctl stop -m fast|immediate}) and start it again without touching the machine's shared
 * server. As root, the tools run as {@code postgres} (initdb refuses root).
 */
public final class OwnPostgres implements AutoCloseable {

    public static final String DATABASE = "runwire";

    private final Path dir;
    private final Path log;
    private final String bin;
    private final int port = ServiceProcess.freePort();
    private final boolean asPostgres = "root".equals(System.getProperty("user.name"));
    private final Thread stopAtExit = new Thread(() -> {
        try {
            pgCtl("stop", "-m", "immediate");
        } catch (Exception e) {
            // the JVM is exiting: nothing more to do
        }
    });

    public OwnPostgres(String name) throws IOException, InterruptedException {
        bin = System.getenv().getOrDefault("RUNWIRE_PG_BIN", "/usr/lib/postgresql/15/bin");
        dir = Files.createTempDirectory("runwire-pg-" + name + "-");
        log = ServiceProcess.ROOT.resolve("system-tests/target/logs/postgres-" + name + "-" + port + ".log");
        Files.createDirectories(log.getParent());
        if (asPostgres) {
            run(List.of("chown", "postgres", dir.toString()));
        }
        run(tool("initdb", "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "postgres", "-E", "UTF8"));
        Runtime.getRuntime().addShutdownHook(stopAtExit);
    }

    /** Starts the server (again: same data, same port) and waits until it takes connections. */
    public OwnPostgres start() throws IOException, InterruptedException {
        // fsync off: the tests kill processes, never the machine, and the machine's disk is shared
        // the server's own log is in its folder (the server's user may not write the tests' logs folder)
        pgCtl("start", "-w", "-t", "60", "-l", dir.resolve("server.log").toString(), "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100");
        Awaitility.await("PostgreSQL on port " + port).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(this::answers);
        return this;
    }

    /** Creates the services' role and database. */
    public void createDatabase() throws SQLException {
        try (Connection connection = DriverManager.getConnection(url("postgres"), "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("create role runwire login password 'runwire'");
            statement.execute("create database " + DATABASE + " owner runwire");
        }
    }

    /** {@code pg_ctl stop -m mode}: {@code fast} ends the sessions cleanly, {@code immediate} as a crash does. */
    public void stop(String mode) throws IOException, InterruptedException {
        pgCtl("stop", "-w", "-m", mode);
    }

    public String jdbcUrl() {
        return url(DATABASE);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private boolean answers() {
        try (Connection ignored = DriverManager.getConnection(url("postgres"), "postgres", "")) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private void pgCtl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("pg_ctl", "-D", dir.resolve("data").toString()));
        command.addAll(List.of(args));
        run(tool(command.toArray(String[]::new)));
    }

    private List<String> tool(String... command) {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.add(Path.of(bin, command[0]).toString());
        full.addAll(List.of(command).subList(1, command.length));
        return full;
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed; see " + log);
        }
    }

    /** Stops the server at once and deletes its data. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            pgCtl("stop", "-w", "-m", "immediate");
        } catch (IllegalStateException e) {
            // already stopped
        }
        Runtime.getRuntime().removeShutdownHook(stopAtExit);
        Path serverLog = dir.resolve("server.log");
        if (Files.exists(serverLog)) {
            Files.write(log, Files.readAllBytes(serverLog), java.nio.file.StandardOpenOption.APPEND);
        }
        deleteQuietly(dir);
    }

    public static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind costs disk space only
        }
    }
}

package dev.runwire.system.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/** One packaged service running as its own process, with its output in a log file. */
public final class ServiceProcess implements AutoCloseable {

    public static final Path ROOT = Path.of(System.getProperty("runwire.root", "..")).toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Every process the tests started: whatever a test class forgot or could not stop dies with the test JVM. */
    private static final java.util.List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(
                new Thread(() -> STARTED.stream().filter(Process::isAlive).forEach(Process::destroyForcibly)));
    }

    public final String name;
    public final int port;
    /** The management port: health and metrics (docs/adr/0040-management-interface-and-dev-services.md). */
    public final int managementPort;
    public final Path log;
    private final Path jar;
    private final Map<String, String> env;
    private Process process;

    private ServiceProcess(String name, String module, Map<String, String> env) {
        this.name = name;
        this.port = freePort();
        this.managementPort = freePort();
        this.jar = ROOT.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        this.log = ROOT.resolve("system-tests/target/logs/" + name + "-" + port + ".log");
        this.env = new HashMap<>(env);
        this.env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        this.env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        this.env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
    }

    public static ServiceProcess api(String name, Map<String, String> env) {
        return new ServiceProcess(name, "api-service", env);
    }

    public static ServiceProcess executor(String name, Map<String, String> env) {
        return new ServiceProcess(name, "executor-service", env);
    }

    public ServiceProcess start() {
        try {
            Files.createDirectories(log.getParent());
            // as the launchers: a malformed URI reaches the api-service's own check, answered with a body (ADR 0027)
            ProcessBuilder builder = new ProcessBuilder("java", "-Xmx384m", "-Dvertx.disableURIValidation=true", "-jar",
                    jar.toString()).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            process = builder.start();
            STARTED.add(process);
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + name, e);
        }
        try {
            Awaitility.await(name + " ready (log: " + log + ")").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250)).until(this::ready);
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        return this;
    }

    public long pid() {
        return process.pid();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Where health ({@code /q/health/...}) and metrics ({@code /q/metrics}) are served: not the public port. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    /** The sum of a Prometheus metric's samples (all label sets), 0 when it has none. */
    public double metric(String name) {
        try {
            String text = HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return text.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                    .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .reduce(0.0, Double::sum);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited; see " + log);
        }
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest
                    .newBuilder(URI.create(managementUrl() + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL ({@code kill -9}): the process gets no chance to finish anything. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** The whole output of the process so far. */
    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fails when a service's log has a Vert.x "Thread blocked" warning: something ran on an event loop (or a worker)
     * far longer than it may. Call it at the end of a test class for the processes it used.
     */
    public static void assertNoThreadBlocked(ServiceProcess... processes) {
        for (ServiceProcess process : processes) {
            java.util.List<String> blocked = process.logText().lines().filter(line -> line.contains("Thread blocked"))
                    .limit(3).toList();
            if (!blocked.isEmpty()) {
                throw new AssertionError(process.name + " logged blocked threads (" + process.log + "): " + blocked);
            }
        }
    }

    /** SIGTERM and wait: a graceful stop. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }

    /** Stops the process; a test that ran it fails if an event loop of it was ever blocked. */
    @Override
    public void close() throws InterruptedException {
        stop();
        assertNoThreadBlocked(this);
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.runwire.system.support;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;

/**
 * A KRaft broker of a test's own, as {@code ./runwire} starts one (same jars, same settings), in its own folder and on
 * free ports, with the product's topics: a test may {@code kill -9} it and start it again on the same data and port
 * without disturbing the broker the other test classes share. The class path comes from {@code ./runwire test}
 * ({@code RUNWIRE_KAFKA_CLASSPATH}).
 */
public final class OwnKafka implements AutoCloseable {

    static final List<String> TOPICS = List.of("runwire.run-commands.v1", "runwire.run-events.v1",
            "runwire.run-commands.dlq.v1", "runwire.run-events.dlq.v1");

    private final Path dir;
    private final Path log;
    private final String classpath;
    private final int port = ServiceProcess.freePort();
    private final int controllerPort = ServiceProcess.freePort();
    private Process process;

    public OwnKafka(String name) throws IOException, InterruptedException {
        classpath = System.getenv("RUNWIRE_KAFKA_CLASSPATH");
        if (classpath == null || classpath.isBlank()) {
            throw new IllegalStateException("RUNWIRE_KAFKA_CLASSPATH is not set: run the tests with ./runwire test");
        }
        dir = Files.createTempDirectory("runwire-kafka-" + name + "-");
        log = ServiceProcess.ROOT.resolve("system-tests/target/logs/kafka-" + name + "-" + port + ".log");
        Files.createDirectories(log.getParent());
        Files.writeString(dir.resolve("server.properties"), String.join("\n", "process.roles=broker,controller",
                "node.id=1", "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port, "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT", "log.dirs=" + dir.resolve("data"), "num.partitions=8",
                "auto.create.topics.enable=false", "group.initial.rebalance.delay.ms=0",
                "offsets.topic.replication.factor=1", "offsets.topic.num.partitions=8",
                "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1", "share.coordinator.state.topic.min.isr=1", ""));
        Process format = java("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c",
                dir.resolve("server.properties").toString()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IllegalStateException("could not format the Kafka storage in " + dir + "; see " + log);
        }
    }

    /** Starts the broker (again, after a kill: same data, same port) and waits until it answers. */
    public OwnKafka start() {
        try {
            process = java("kafka.Kafka", dir.resolve("server.properties").toString()).start();
            // whatever a test could not stop dies with the test JVM
            Process started = process;
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        } catch (IOException e) {
            throw new IllegalStateException("could not start Kafka", e);
        }
        Awaitility.await("Kafka on " + bootstrap() + " (log: " + log + ")").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(this::answers);
        return this;
    }

    /** Creates the product's topics, with the partitions {@code ./runwire} gives them. */
    public void createTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(TOPICS.stream().map(topic -> new NewTopic(topic, 8, (short) 1)).toList()).all().get(30,
                    TimeUnit.SECONDS);
        }
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** SIGKILL: the broker gets no chance to close its logs or its connections cleanly. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    private boolean answers() {
        if (!process.isAlive()) {
            throw new IllegalStateException("Kafka exited; see " + log);
        }
        try (Socket ignored = new Socket("127.0.0.1", port);
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000))) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private ProcessBuilder java(String main, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("java", "-Xms128m", "-Xmx384m",
                "-Dlog4j2.configurationFile=" + System.getenv().getOrDefault("RUNWIRE_KAFKA_LOG4J",
                        ServiceProcess.ROOT.resolve("infra/kafka/log4j2.properties").toString()),
                "-cp", classpath, main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    /** Kills the broker and deletes its data. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill9();
        }
        OwnPostgres.deleteQuietly(dir);
    }
}

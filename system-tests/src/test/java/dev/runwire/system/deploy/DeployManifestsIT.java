package dev.runwire.system.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.runwire.model.json.Json;
import dev.runwire.system.support.ServiceProcess;
import dev.runwire.system.support.Tools;

/**
 * Every overlay and example of {@code deploy/k8s} renders with {@code kubectl kustomize}, every object it renders is
 * valid against the Kubernetes JSON schemas (checked offline by the npm package kubernetes-models, pinned, installed
 * into {@code .runwire/tools} on first use), and each rendering keeps what a real cluster needs: the restricted Pod
 * Security settings, probes on the management port, a disruption budget per Deployment, no committed Secret, and a
 * command topic with as many partitions as executors may run (docs/adr/0039-images-and-manifests.md).
 */
class DeployManifestsIT {

    /**
     * The pinned validators; a newer version may know other schemas, so a change of version is a change of this file.
     */
    static final String[] VALIDATORS = { "kubernetes-models@5.1.0", "@kubernetes-models/prometheus-operator@6.0.0",
            "@kubernetes-models/external-secrets@2.0.0", "yaml@2.9.1" };
    /** Kinds of operators whose schemas no npm package has: rendered, but checked only by the operator at apply. */
    static final Set<String> NO_SCHEMA_OFFLINE = Set.of("kafka.strimzi.io/v1beta2/Kafka",
            "kafka.strimzi.io/v1beta2/KafkaNodePool", "kafka.strimzi.io/v1beta2/KafkaTopic",
            "kafka.strimzi.io/v1beta2/KafkaUser", "postgresql.cnpg.io/v1/Cluster",
            "postgresql.cnpg.io/v1/ScheduledBackup");

    static final Path K8S = ServiceProcess.ROOT.resolve("deploy/k8s");
    static final Path OUT = ServiceProcess.ROOT.resolve("system-tests/target/k8s");

    /** The rendered objects of each overlay and example, by its path under deploy/k8s. */
    static final Map<String, List<JsonNode>> RENDERED = new LinkedHashMap<>();
    static final List<JsonNode> RESULTS = new ArrayList<>();

    @BeforeAll
    static void renderAndValidate() throws Exception {
        Files.createDirectories(OUT);
        List<Path> files = new ArrayList<>();
        for (Path dir : kustomizations()) {
            String name = K8S.relativize(dir).toString().replace('/', '-');
            Path file = OUT.resolve(name + ".yaml");
            Process kubectl = start(OUT.resolve(name + ".kustomize.log"), kubectl(), "kustomize", dir.toString());
            Files.copy(kubectl.getInputStream(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertTrue(kubectl.waitFor(2, TimeUnit.MINUTES), "kubectl kustomize " + dir + " did not end");
            assertEquals(0, kubectl.exitValue(),
                    "kubectl kustomize " + dir + " failed:\n" + Files.readString(OUT.resolve(name + ".kustomize.log")));
            files.add(file);
        }
        Path tools = Tools.npm("kubernetes-models-5.1.0",
                "node_modules/@kubernetes-models/external-secrets/package.json", VALIDATORS);
        List<String> command = new ArrayList<>(
                List.of("node", ServiceProcess.ROOT.resolve("system-tests/k8s/validate.mjs").toString(),
                        tools.resolve("node_modules").toString()));
        files.forEach(f -> command.add(f.toString()));
        Path log = OUT.resolve("validate.log");
        Process node = start(log, command.toArray(String[]::new));
        String output = new String(node.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(node.waitFor(3, TimeUnit.MINUTES), "the validation did not end");
        assertEquals(0, node.exitValue(), "the validation failed:\n" + Files.readString(log) + output);
        for (String line : output.lines().toList()) {
            RESULTS.add(Json.tree(line));
        }
        for (Path file : files) {
            String name = file.getFileName().toString().replace(".yaml", "");
            List<JsonNode> objects = new ArrayList<>();
            Json.tree(Files.readString(OUT.resolve(name + ".json"))).forEach(objects::add);
            RENDERED.put(name, objects);
        }
        System.out.printf("rendered %s: %d objects%n", RENDERED.keySet(),
                RENDERED.values().stream().mapToInt(List::size).sum());
    }

    @Test
    void everyOverlayAndExampleRenders() {
        assertTrue(
                RENDERED.keySet()
                        .containsAll(List.of("overlays-dev", "overlays-prod", "examples-strimzi",
                                "examples-cloudnative-pg", "examples-external-secrets")),
                "rendered: " + RENDERED.keySet());
        RENDERED.forEach((name, objects) -> assertFalse(objects.isEmpty(), name + " rendered nothing"));
    }

    @Test
    void everyObjectIsValidAgainstTheKubernetesSchemas() {
        List<String> problems = new ArrayList<>();
        int valid = 0;
        for (JsonNode result : RESULTS) {
            String what = result.path("file").asText().replaceAll(".*/", "") + " " + result.path("apiVersion").asText()
                    + "/" + result.path("kind").asText() + " " + result.path("name").asText();
            switch (result.path("result").asText()) {
            case "valid" -> valid++;
            case "no-schema" -> {
                if (!NO_SCHEMA_OFFLINE
                        .contains(result.path("apiVersion").asText() + "/" + result.path("kind").asText())) {
                    problems.add(what + ": no schema to check it against");
                }
            }
            default -> problems.add(what + ": " + result.path("errors"));
            }
        }
        System.out.printf("%d objects valid, %d without a schema offline (%s)%n", valid, RESULTS.size() - valid,
                NO_SCHEMA_OFFLINE);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(valid > 0, "nothing was validated");
    }

    @Test
    void podsMeetTheRestrictedPodSecurityStandard() {
        forEachPod((where, pod) -> {
            JsonNode security = pod.path("securityContext");
            assertTrue(security.path("runAsNonRoot").asBoolean(), where + ": runAsNonRoot");
            assertEquals("RuntimeDefault", security.path("seccompProfile").path("type").asText(), where + ": seccomp");
            assertFalse(pod.path("automountServiceAccountToken").asBoolean(true), where + ": service account token");
            assertEquals("runwire", pod.path("serviceAccountName").asText(), where + ": service account");
            for (JsonNode container : pod.path("containers")) {
                JsonNode c = container.path("securityContext");
                String at = where + " " + container.path("name").asText();
                assertFalse(c.path("allowPrivilegeEscalation").asBoolean(true), at + ": allowPrivilegeEscalation");
                assertTrue(c.path("readOnlyRootFilesystem").asBoolean(), at + ": readOnlyRootFilesystem");
                assertEquals("[\"ALL\"]", c.path("capabilities").path("drop").toString(), at + ": capabilities");
                assertTrue(elements(container.path("volumeMounts"))
                        .anyMatch(m -> m.path("mountPath").asText().equals("/tmp")), at + ": a writable /tmp");
                assertFalse(container.path("resources").path("limits").path("memory").isMissingNode(), at + ": limits");
            }
        });
    }

    @Test
    void servicesAreProbedAndScrapedOnTheirManagementPortsAndSizedByTheirLimits() throws IOException {
        Map<String, Integer> managementPorts = Map.of("runwire-api", managementPort("api-service"), "runwire-executor",
                managementPort("executor-service"));
        RENDERED.forEach((name, objects) -> {
            for (JsonNode deployment : kind(objects, "Deployment")) {
                String app = deployment.path("metadata").path("name").asText();
                String where = name + " " + app;
                JsonNode pod = deployment.path("spec").path("template");
                JsonNode container = pod.path("spec").path("containers").path(0);
                for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                    assertEquals("management", container.path(probe).path("httpGet").path("port").asText(),
                            where + ": " + probe);
                }
                int port = elements(container.path("ports")).filter(p -> p.path("name").asText().equals("management"))
                        .findFirst().orElseThrow().path("containerPort").asInt();
                assertEquals(managementPorts.get(app), port, where + ": the port application.properties sets");
                assertEquals(String.valueOf(port),
                        pod.path("metadata").path("annotations").path("prometheus.io/port").asText(),
                        where + ": scrape annotation");
                assertTrue(env(container, "JAVA_TOOL_OPTIONS").contains("-XX:MaxRAMPercentage="), where + ": heap");
                assertEquals(app, pod.path("metadata").path("labels").path("app.kubernetes.io/name").asText(), where);
                assertEquals("runwire", pod.path("metadata").path("labels").path("app.kubernetes.io/part-of").asText(),
                        where);
                assertTrue(pod.path("spec").path("topologySpreadConstraints").size() > 0, where + ": spread");
                assertTrue(
                        kind(objects, "PodDisruptionBudget").stream()
                                .anyMatch(pdb -> pdb.path("spec").path("selector").path("matchLabels")
                                        .path("app.kubernetes.io/name").asText().equals(app)),
                        where + ": a PodDisruptionBudget");
            }
        });
    }

    @Test
    void secretsAreReferencedNeverCommitted() {
        RENDERED.forEach((name, objects) -> {
            assertTrue(kind(objects, "Secret").isEmpty(), name + " renders a Secret: secrets are created apart");
            JsonNode config = kind(objects, "ConfigMap").stream()
                    .filter(c -> c.path("metadata").path("name").asText().equals("runwire-config")).findFirst()
                    .orElseThrow();
            assertTrue(config.path("data").path("RUNWIRE_CONNECTIONS_PUBLIC_URL").asText().startsWith("https://"),
                    name + ": the public URL");
            config.path("data").fieldNames()
                    .forEachRemaining(key -> assertFalse(
                            key.contains("PASSWORD") || key.equals("RUNWIRE_SECRETS_KEY")
                                    || key.equals("RUNWIRE_ADMIN_TOKEN"),
                            name + ": a secret in the ConfigMap: " + key));
        });
    }

    @Test
    void theCommandTopicHasAPartitionForEveryExecutorTheAutoscalerMayStart() {
        RENDERED.forEach((name, objects) -> {
            int executors = kind(objects, "HorizontalPodAutoscaler").stream()
                    .filter(h -> h.path("metadata").path("name").asText().equals("runwire-executor")).findFirst()
                    .orElseThrow().path("spec").path("maxReplicas").asInt();
            int partitions = kind(objects, "KafkaTopic").stream()
                    .filter(t -> t.path("metadata").path("name").asText().equals("runwire.run-commands.v1"))
                    .map(t -> t.path("spec").path("partitions").asInt()).findFirst()
                    .orElseGet(() -> kind(objects, "ConfigMap").stream()
                            .filter(c -> c.path("metadata").path("name").asText().equals("runwire-topics"))
                            .map(c -> Integer.parseInt(c.path("data").path("COMMAND_PARTITIONS").asText())).findFirst()
                            .orElseThrow(() -> new AssertionError(name + ": nothing creates the topics")));
            assertEquals(executors, partitions, name + ": partitions of runwire.run-commands.v1");
        });
    }

    private interface PodCheck {
        void check(String where, JsonNode podSpec);
    }

    private static void forEachPod(PodCheck check) {
        RENDERED.forEach((name, objects) -> {
            for (JsonNode object : objects) {
                String kind = object.path("kind").asText();
                if (kind.equals("Deployment") || kind.equals("Job")) {
                    check.check(name + " " + kind + " " + object.path("metadata").path("name").asText(),
                            object.path("spec").path("template").path("spec"));
                }
            }
        });
    }

    private static List<JsonNode> kind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    private static Stream<JsonNode> elements(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }

    private static String env(JsonNode container, String name) {
        return elements(container.path("env")).filter(e -> e.path("name").asText().equals(name)).findFirst()
                .map(e -> e.path("value").asText()).orElse("");
    }

    private static int managementPort(String module) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(
                Files.readString(ServiceProcess.ROOT.resolve(module + "/src/main/resources/application.properties"))));
        assertEquals("true", properties.getProperty("quarkus.management.enabled"), module + ": management interface");
        return Integer.parseInt(properties.getProperty("quarkus.management.port"));
    }

    private static List<Path> kustomizations() throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (String group : List.of("overlays", "examples")) {
            try (Stream<Path> children = Files.list(K8S.resolve(group))) {
                children.filter(d -> Files.exists(d.resolve("kustomization.yaml"))).sorted().forEach(dirs::add);
            }
        }
        return dirs;
    }

    /** kubectl (its built-in kustomize renders the overlays); {@code KUBECTL} may name another. */
    private static String kubectl() {
        String kubectl = System.getenv().getOrDefault("KUBECTL", "kubectl");
        try {
            Process version = new ProcessBuilder(kubectl, "version", "--client").redirectErrorStream(true).start();
            version.getInputStream().readAllBytes();
            version.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("kubectl is needed to render deploy/k8s (kubectl kustomize, kustomize v5): install"
                    + " the Kubernetes project's kubectl package or set KUBECTL: " + e.getMessage(), e);
        }
        return kubectl;
    }

    private static Process start(Path errors, String... command) throws IOException {
        return new ProcessBuilder(command).redirectError(errors.toFile()).start();
    }
}

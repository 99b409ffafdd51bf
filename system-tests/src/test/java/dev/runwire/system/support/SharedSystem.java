package dev.runwire.system.support;

import java.util.HashMap;
import java.util.Map;

/**
 * One api-service and one executor-service, on their own topics, shared by the test classes that do not kill anything:
 * each JVM start costs seconds on a small machine. Stopped, and their topics deleted, when the test JVM exits.
 */
public final class SharedSystem {

    /**
     * The shared api-service's settings. The synchronous wait of 2 s is long enough for every synchronous answer of the
     * tests and short enough for the test of the 202. The AUTH_REQUIRED timeout is for CredentialsIT, which waits for a
     * run left in AUTH_REQUIRED to end: every api-service replica of a database expires such runs by its own setting,
     * so it cannot move into that test without an api-service of its own, another JVM. The MCP page size is McpIT's: a
     * catalog of a few actions then spans several pages.
     */
    private static final Map<String, String> API_SETTINGS = Map.of("RUNWIRE_RUN_SYNC_WAIT", "2s",
            "RUNWIRE_SSE_HEARTBEAT", "1s", "RUNWIRE_CONNECTIONS_AUTH_REQUIRED_TIMEOUT", "15s",
            "RUNWIRE_CONNECTIONS_AUTH_REQUIRED_SWEEP", "1s", "RUNWIRE_MCP_PAGE_SIZE", "3",
            "RUNWIRE_MCP_META_TOOLS_ABOVE", "6");
    /**
     * The shared executor-service's settings, for OAuthIT: a token with 60-90 s left passes the api-service's check (60
     * s) but not the executor's. The executor of the shared topics takes every run sent there, so this cannot move into
     * that test without topics, an api-service and an executor-service of its own, two more JVMs.
     */
    private static final Map<String, String> EXECUTOR_SETTINGS = Map.of("RUNWIRE_EXECUTION_REFRESH_SKEW", "90s");

    private static IsolatedTopics topics;
    private static ServiceProcess api;
    private static ServiceProcess executor;

    private SharedSystem() {
    }

    public static synchronized ServiceProcess api() {
        start();
        return api;
    }

    public static synchronized ServiceProcess executor() {
        start();
        return executor;
    }

    public static synchronized IsolatedTopics topics() {
        start();
        return topics;
    }

    private static void start() {
        if (api != null) {
            return;
        }
        try {
            topics = new IsolatedTopics("shared");
        } catch (Exception e) {
            throw new IllegalStateException("could not create the shared topics on " + SystemUnderTest.KAFKA, e);
        }
        // registered before anything can fail, so a failed start leaves no process behind
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (executor != null) {
                    executor.stop();
                }
                if (api != null) {
                    api.stop();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            topics.close();
        }));
        api = ServiceProcess.api("api-shared", topics.apiEnv(API_SETTINGS)).start();
        Map<String, String> executorEnv = new HashMap<>(topics.executorEnv());
        executorEnv.putAll(EXECUTOR_SETTINGS);
        executor = ServiceProcess.executor("executor-shared", executorEnv).start();
        SystemUnderTest.awaitFlowing(api);
    }
}

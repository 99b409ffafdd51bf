package dev.runwire.system;

import java.util.Map;

/**
 * One api-service and one executor-service, on their own topics, shared by the test classes that do not kill anything:
 * each JVM start costs seconds on a small machine. Stopped, and their topics deleted, when the test JVM exits.
 */
final class SharedSystem {

    private static IsolatedTopics topics;
    private static ServiceProcess api;
    private static ServiceProcess executor;

    private SharedSystem() {
    }

    static synchronized ServiceProcess api() {
        start();
        return api;
    }

    static synchronized ServiceProcess executor() {
        start();
        return executor;
    }

    static synchronized IsolatedTopics topics() {
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
        // 2 s: long enough for every synchronous answer of the tests, short enough for the 202 test
        api = ServiceProcess.api("api-shared",
                topics.apiEnv(Map.of("RUNWIRE_RUN_SYNC_WAIT", "2s", "RUNWIRE_SSE_HEARTBEAT", "1s",
                        // CredentialsIT waits for a run left in AUTH_REQUIRED to end
                        "RUNWIRE_CONNECTIONS_AUTH_REQUIRED_TIMEOUT", "15s", "RUNWIRE_CONNECTIONS_AUTH_REQUIRED_SWEEP",
                        "1s")))
                .start();
        // OAuthIT: a token with 60-90 s left passes the api-service's check (60 s) but not the executor's
        Map<String, String> executorEnv = new java.util.HashMap<>(topics.executorEnv());
        executorEnv.put("RUNWIRE_EXECUTION_REFRESH_SKEW", "90s");
        executor = ServiceProcess.executor("executor-shared", executorEnv).start();
        SystemUnderTest.awaitFlowing(api);
    }
}

package dev.runwire.system;

import java.util.Map;

/**
 * One api-service and one executor-service shared by the test classes that do not kill anything: each JVM start costs
 * seconds on a small machine. Stopped when the test JVM exits.
 */
final class SharedSystem {

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

    private static void start() {
        if (api != null) {
            return;
        }
        api = ServiceProcess.api("api-shared", SystemUnderTest.serviceEnv(Map.of("RUNWIRE_RUN_SYNC_WAIT", "2s")))
                .start();
        executor = ServiceProcess.executor("executor-shared", SystemUnderTest.serviceEnv(Map.of())).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                executor.stop();
                api.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
    }
}

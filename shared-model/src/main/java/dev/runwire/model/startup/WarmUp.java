package dev.runwire.model.startup;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A service's warm-up before it reports ready: each step exercises one of its own hot paths a number of rounds (the
 * JSON of its messages, its schema checks, its SQL statements on a warm pool, its Kafka producer's metadata, its HTTP
 * client), then the warm-up waits, briefly, for the JIT compilers to work off what that queued. On a 2-core machine a
 * freshly started JVM runs its first requests interpreted while its C1 and C2 compilers take half of its CPU; warmed,
 * that cost is paid before the first request (ADR 0009, "Fresh start").
 * <p>
 * Bounded in time: a step still running at the deadline is left, and the warm-up ends. A step that fails is noted and
 * skipped; nothing here can fail a start. Steps never touch a tenant's data: they read what matches nothing, write
 * nothing, and call only this machine (127.0.0.1). Plain Java, run on a thread of its own.
 */
public final class WarmUp {

    /** One hot path: {@code round} is called {@code rounds} times in sequence; each call may complete later. */
    public record Step(String name, int rounds, Supplier<CompletableFuture<?>> round) {

        /** A step whose rounds are synchronous. */
        public static Step of(String name, int rounds, Runnable round) {
            return new Step(name, rounds, () -> {
                round.run();
                return CompletableFuture.completedFuture(null);
            });
        }
    }

    /** What a warm-up did: milliseconds per step (negative: failed or cut off), and the JIT wait. */
    public record Report(Map<String, Long> stepMillis, long jitWaitMillis, long totalMillis, List<String> problems) {

        @Override
        public String toString() {
            return "warm-up " + totalMillis + " ms (steps " + stepMillis + ", waited " + jitWaitMillis
                    + " ms for the JIT compilers" + (problems.isEmpty() ? "" : "; skipped: " + problems) + ")";
        }
    }

    /** How long the compilers are watched at a time, and how little work in it counts as caught up. */
    private static final long QUIET_WINDOW_MS = 250;
    private static final long QUIET_COMPILE_MS = 25;

    private WarmUp() {
    }

    /** Runs the steps in order, then waits for the compilers, all within {@code max}. */
    public static Report run(List<Step> steps, Duration max) {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        Map<String, Long> millis = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Step step : steps) {
            long stepStart = System.nanoTime();
            try {
                for (int i = 0; i < step.rounds(); i++) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("out of time");
                    }
                    step.round().get().get(left, TimeUnit.NANOSECONDS);
                }
                millis.put(step.name(), (System.nanoTime() - stepStart) / 1_000_000);
            } catch (Exception | StackOverflowError e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                millis.put(step.name(), -(System.nanoTime() - stepStart) / 1_000_000);
                problems.add(step.name() + ": " + e.getClass().getSimpleName());
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
            }
        }
        long jitStart = System.nanoTime();
        awaitCompilers(deadline);
        long end = System.nanoTime();
        return new Report(millis, (end - jitStart) / 1_000_000, (end - start) / 1_000_000, problems);
    }

    /**
     * Until the compilers spent less than {@link #QUIET_COMPILE_MS} in the last {@link #QUIET_WINDOW_MS}, or the
     * deadline: what the warm-up queued is then compiled, and so is the start's own backlog.
     */
    private static void awaitCompilers(long deadline) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long before = jit.getTotalCompilationTime();
        while (System.nanoTime() + QUIET_WINDOW_MS * 1_000_000 < deadline) {
            try {
                Thread.sleep(QUIET_WINDOW_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = jit.getTotalCompilationTime();
            if (now - before < QUIET_COMPILE_MS) {
                return;
            }
            before = now;
        }
    }
}

package dev.runwire.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Latencies of one measurement window, recorded without locks, and the figures derived from them. */
final class Latencies {

    private final long[] nanos;
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean recording;
    private long startedAt;
    private long stoppedAt;

    Latencies(int capacity) {
        nanos = new long[capacity];
    }

    void start() {
        startedAt = System.nanoTime();
        recording = true;
    }

    void stop() {
        recording = false;
        stoppedAt = System.nanoTime();
    }

    void record(long latencyNanos) {
        if (recording) {
            int i = count.getAndIncrement();
            if (i < nanos.length) {
                nanos[i] = latencyNanos;
            }
        }
    }

    void error() {
        if (recording) {
            errors.incrementAndGet();
        }
    }

    /** The figures of the window. */
    record Figures(String name, long requests, double perSecond, double p50, double p90, double p99, double max,
            long errors) {

        String row() {
            return String.format("%-34s %9d %10.0f %8.2f %8.2f %8.2f %8.2f %7d", name, requests, perSecond, p50, p90,
                    p99, max, errors);
        }
    }

    Figures figures(String name) {
        int n = Math.min(count.get(), nanos.length);
        long[] sorted = Arrays.copyOf(nanos, n);
        Arrays.sort(sorted);
        double seconds = (stoppedAt - startedAt) / 1e9;
        return new Figures(name, n, n / seconds, pct(sorted, 0.50), pct(sorted, 0.90), pct(sorted, 0.99),
                n == 0 ? 0 : sorted[n - 1] / 1e6, errors.get());
    }

    /** The mean latency of the window, in ms. */
    double mean() {
        int n = Math.min(count.get(), nanos.length);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += nanos[i];
        }
        return n == 0 ? 0 : sum / n / 1e6;
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0
                : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}

package dev.runwire.model.trace;

import java.util.UUID;

import org.jboss.logging.MDC;

/**
 * Names a run in the MDC of the lines logged while it is open, and gives the thread its earlier values back when
 * closed: {@code try (var ignored = RunLogContext.open(runId, ownerId)) { ... }}. The trace id comes with the current
 * span (Quarkus puts it in the MDC).
 */
public final class RunLogContext implements AutoCloseable {

    /** Quarkus's MDC key of the current trace's id. */
    static final String TRACE_ID_MDC = "traceId";

    private final Object previousRun;
    private final Object previousOwner;
    private final Object previousTrace;

    private RunLogContext(UUID runId, UUID ownerId, String traceParent) {
        previousRun = MDC.get(RunTelemetry.RUN_ID_MDC);
        previousOwner = MDC.get(RunTelemetry.OWNER_ID_MDC);
        previousTrace = MDC.get(TRACE_ID_MDC);
        put(RunTelemetry.RUN_ID_MDC, runId);
        put(RunTelemetry.OWNER_ID_MDC, ownerId);
        // version-traceid-spanid-flags
        if (traceParent != null && traceParent.length() >= 35) {
            put(TRACE_ID_MDC, traceParent.substring(3, 35));
        }
    }

    /** The run (and its owner, when known: null leaves it out) in the MDC until closed. */
    public static RunLogContext open(UUID runId, UUID ownerId) {
        return new RunLogContext(runId, ownerId, null);
    }

    /**
     * The same, for work done outside the run's trace context (a callback sent later): the trace id that the
     * {@code traceparent} names.
     */
    public static RunLogContext open(UUID runId, UUID ownerId, String traceParent) {
        return new RunLogContext(runId, ownerId, traceParent);
    }

    @Override
    public void close() {
        put(RunTelemetry.RUN_ID_MDC, previousRun);
        put(RunTelemetry.OWNER_ID_MDC, previousOwner);
        put(TRACE_ID_MDC, previousTrace);
    }

    private static void put(String key, Object value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value.toString());
        }
    }
}

package dev.runwire.model.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Tells an operator when a messaging channel stops (its stream failed: nothing more is read from or written to its
 * topic until the process restarts), once per stop: an error line and {@code runwire.channels.stopped}. Each service
 * feeds it the channels' liveness.
 */
public final class ChannelStops {

    private static final Logger LOG = Logger.getLogger(ChannelStops.class);

    private final MeterRegistry registry;
    private final Set<String> stopped = ConcurrentHashMap.newKeySet();

    public ChannelStops(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One look at a channel; a channel that is down and was not before counts as one stop. */
    public void observe(String channel, boolean ok, String message) {
        if (ok) {
            stopped.remove(channel);
            return;
        }
        if (stopped.add(channel)) {
            registry.counter("runwire.channels.stopped", "channel", channel).increment();
            LOG.errorf("channel %s stopped (%s): its topic is no longer read or written by this process; its liveness "
                    + "check is DOWN until it is restarted", channel, message);
        }
    }
}

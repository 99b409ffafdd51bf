package dev.runwire.api.run;

import java.util.Set;

import dev.runwire.api.callback.DeliverySurface;

/**
 * Renders a callback's body for the surfaces that accepted runs: the run exactly as the GET of that surface shows it.
 * Each surface provides its own (as a bean), so callbacks never depend on a surface.
 */
public interface CallbackBodyRenderer {

    /** The delivery surfaces (a run's {@code surface} column) this renderer shows runs for. */
    Set<DeliverySurface> surfaces();

    /** The body for the run, to be written as JSON. */
    Object body(RunRecord run);
}

package dev.runwire.api.run;

import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.runwire.api.callback.DeliverySurface;

/** The callback body of a run accepted by the runs API: the run as {@code GET /v1/runs/{id}} shows it. */
@ApplicationScoped
public class NativeCallbackBody implements CallbackBodyRenderer {

    @Override
    public Set<DeliverySurface> surfaces() {
        return Set.of(DeliverySurface.NATIVE);
    }

    @Override
    public Object body(RunRecord run) {
        return RunView.of(run, List.of());
    }
}

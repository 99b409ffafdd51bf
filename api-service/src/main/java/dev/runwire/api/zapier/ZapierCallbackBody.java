package dev.runwire.api.zapier;

import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.runwire.api.callback.DeliverySurface;
import dev.runwire.api.run.CallbackBodyRenderer;
import dev.runwire.api.run.RunRecord;

/**
 * The callback body of a run accepted by Zapier's Actions API: the run as its GET shows it (a one-off run's inside a
 * {@code data} member, as Zapier's Actions API documents).
 */
@ApplicationScoped
public class ZapierCallbackBody implements CallbackBodyRenderer {

    @Override
    public Set<DeliverySurface> surfaces() {
        return Set.of(DeliverySurface.ZAPIER_STORED, DeliverySurface.ZAPIER_ONE_OFF);
    }

    @Override
    public Object body(RunRecord run) {
        return run.surface() == DeliverySurface.ZAPIER_ONE_OFF ? Map.of("data", ZapierRun.of(run)) : ZapierRun.of(run);
    }
}

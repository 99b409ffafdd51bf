package dev.runwire.api.run;

import java.util.EnumMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import dev.runwire.api.callback.DeliverySurface;
import dev.runwire.model.json.Json;

/**
 * A callback's body: the run exactly as the GET of its surface shows it, by the renderer of the run's delivery surface;
 * a run of a surface without one is shown as the runs API shows it.
 */
@ApplicationScoped
public class CallbackBodies {

    private final Map<DeliverySurface, CallbackBodyRenderer> bySurface = new EnumMap<>(DeliverySurface.class);

    CallbackBodies(Instance<CallbackBodyRenderer> renderers) {
        renderers.forEach(renderer -> renderer.surfaces().forEach(surface -> bySurface.put(surface, renderer)));
        if (!bySurface.containsKey(DeliverySurface.NATIVE)) {
            throw new IllegalStateException("no callback body renderer for the runs API");
        }
    }

    public String render(RunRecord run) {
        return Json.write(bySurface.getOrDefault(run.surface(), bySurface.get(DeliverySurface.NATIVE)).body(run));
    }
}

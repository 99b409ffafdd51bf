package dev.runwire.api.callback;

import java.util.List;
import java.util.Map;

import io.vertx.mutiny.sqlclient.Row;

import dev.runwire.api.run.RunView;
import dev.runwire.api.zapier.ZapierRun;
import dev.runwire.model.json.Json;

/** A callback's body: the run exactly as the GET of its surface shows it. */
public final class CallbackBodies {

    private CallbackBodies() {
    }

    public static String render(Row run) {
        return Json.write(switch (run.getString("surface")) {
        case ZapierRun.STORED -> ZapierRun.of(run);
        case ZapierRun.ONE_OFF -> Map.of("data", ZapierRun.of(run));
        default -> RunView.of(run, List.of());
        });
    }
}

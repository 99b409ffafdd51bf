package dev.runwire.api.run.accept;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.runwire.api.action.RunnableActions;
import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.api.error.ErrorObject;
import dev.runwire.api.error.RunwireException.Conflict;
import dev.runwire.api.error.RunwireException.NotFound;

/**
 * The one rule of whether an action version can run: the action is active (its newest version says so), its integration
 * exists and is active. A single-action request is refused with 404 or 409; a plan step with a violation that points at
 * the step.
 */
@ApplicationScoped
public class RunnableCheck {

    /** Why a version cannot run. */
    public record Refusal(String code, String detail) {
    }

    private final RunnableActions actions;

    RunnableCheck(RunnableActions actions) {
        this.actions = actions;
    }

    /**
     * Why the version cannot run, or null when it can.
     *
     * @param newestActive
     *            whether the action's newest version is active: an inactive action runs in no version
     */
    public static Refusal refusal(RunnableAction version, boolean newestActive) {
        if (!newestActive) {
            return new Refusal("action_inactive", "the action " + version.key() + " is inactive");
        }
        if (version.baseUrl() == null) {
            return new Refusal("integration_missing", "the action's integration no longer exists");
        }
        if (!version.integrationActive()) {
            return new Refusal("integration_inactive", "the action's integration is inactive");
        }
        return null;
    }

    /**
     * A version of an action (the latest when null), if it can run: 404 when unknown, 409 (pointing at {@code pointer})
     * when it cannot run.
     */
    public Uni<RunnableAction> runnable(UUID ownerId, String key, Integer version, String pointer) {
        Uni<RunnableAction> checked = version == null ? actions.latest(ownerId, key).map(latest -> {
            requireKnown(latest, key, null);
            return refused(latest, latest.active(), pointer);
        }) : actions.versions(ownerId, List.of(key)).map(byKey -> {
            List<RunnableAction> all = byKey.getOrDefault(key, List.of());
            RunnableAction pinned = all.stream().filter(v -> v.version() == version).findFirst().orElse(null);
            requireKnown(pinned, key, version);
            return refused(pinned, all.get(0).active(), pointer);
        });
        return checked;
    }

    private static void requireKnown(RunnableAction action, String key, Integer version) {
        if (action == null) {
            throw new NotFound("no action with key " + key + (version == null ? "" : " version " + version));
        }
    }

    private static RunnableAction refused(RunnableAction action, boolean newestActive, String pointer) {
        Refusal refusal = refusal(action, newestActive);
        if (refusal != null) {
            throw new Conflict(refusal.code(), refusal.detail(), ErrorObject.Source.pointer(pointer));
        }
        return action;
    }
}

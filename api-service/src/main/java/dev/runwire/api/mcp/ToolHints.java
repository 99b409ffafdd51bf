package dev.runwire.api.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.model.action.ActionSafety;
import dev.runwire.model.json.Json;

/**
 * The MCP tool annotations of an action ({@code readOnlyHint}, {@code destructiveHint}, {@code idempotentHint},
 * {@code openWorldHint}), read from its safety declaration (ADR 0035). Clients use them to decide what to confirm with
 * their user; an action that declares nothing gets the cautious answer: it may write, may destroy, is not safe to
 * repeat, and reaches outside Runwire.
 */
final class ToolHints {

    private ToolHints() {
    }

    static ObjectNode of(RunnableAction action) {
        ActionSafety safety = action.parsed() == null ? null : action.parsed().safety();
        return of(safety == null ? ActionSafety.DEFAULT : safety);
    }

    /** What is assumed of an action that declares nothing. */
    static ObjectNode safeDefaults() {
        return of(ActionSafety.DEFAULT);
    }

    private static ObjectNode of(ActionSafety safety) {
        ObjectNode hints = Json.mapper().createObjectNode();
        hints.put("readOnlyHint", safety.readOnlyHint());
        hints.put("destructiveHint", safety.destructiveHint());
        hints.put("idempotentHint", safety.idempotentHint());
        hints.put("openWorldHint", safety.openWorldHint());
        return hints;
    }
}

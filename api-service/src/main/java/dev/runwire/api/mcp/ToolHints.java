package dev.runwire.api.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.model.json.Json;

/**
 * The MCP tool annotations of an action ({@code readOnlyHint}, {@code destructiveHint}, {@code idempotentHint},
 * {@code openWorldHint}). Clients use them to decide what to confirm with their user, so until actions declare their
 * side effects every action gets the cautious answer: it may write, may destroy, is not safe to repeat, and reaches
 * outside Runwire. This is the one place to read the declarations once action versions carry them.
 */
final class ToolHints {

    private ToolHints() {
    }

    static ObjectNode of(RunnableAction action) {
        return safeDefaults();
    }

    /** What is assumed of an action that declares nothing. */
    static ObjectNode safeDefaults() {
        ObjectNode hints = Json.mapper().createObjectNode();
        hints.put("readOnlyHint", false);
        hints.put("destructiveHint", true);
        hints.put("idempotentHint", false);
        hints.put("openWorldHint", true);
        return hints;
    }
}

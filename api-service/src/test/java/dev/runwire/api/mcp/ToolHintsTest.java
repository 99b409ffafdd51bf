package dev.runwire.api.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.runwire.api.action.RunnableActions;
import dev.runwire.api.action.RunnableActions.RunnableAction;
import dev.runwire.model.action.ActionSafety;
import dev.runwire.model.action.SideEffects;
import dev.runwire.model.json.Json;

/** Tool annotations follow an action's safety declaration; an action that declares nothing gets the cautious ones. */
class ToolHintsTest {

    @Test
    void annotationsFollowTheDeclaration() {
        assertEquals(hints(false, true, false), ToolHints.of(action(null)));
        assertEquals(hints(false, true, false), ToolHints.of(action(ActionSafety.DEFAULT)));
        assertEquals(hints(true, false, true), ToolHints.of(action(ActionSafety.of(SideEffects.NONE, null, null))));
        assertEquals(hints(false, false, true),
                ToolHints.of(action(ActionSafety.of(SideEffects.IDEMPOTENT, false, null))));
        // a key the provider honours makes a retry safe, not the action itself idempotent
        assertEquals(hints(false, true, false),
                ToolHints.of(action(ActionSafety.of(SideEffects.NON_IDEMPOTENT, true, true))));
        assertEquals(ToolHints.safeDefaults(), ToolHints.of(action(null)));
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode hints(boolean readOnly, boolean destructive,
            boolean idempotent) {
        var node = Json.mapper().createObjectNode();
        node.put("readOnlyHint", readOnly);
        node.put("destructiveHint", destructive);
        node.put("idempotentHint", idempotent);
        node.put("openWorldHint", true);
        return node;
    }

    private static RunnableAction action(ActionSafety safety) {
        return new RunnableAction(UUID.randomUUID(), "k", 1, true, "intent", "http", null, true, 1000, null, true, null,
                new RunnableActions.Parsed(null, null, null, null, null, safety));
    }
}

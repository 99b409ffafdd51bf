package dev.runwire.model.action;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What calling an action does to the world outside Runwire, as its author declares it. See
 * docs/adr/0035-action-safety-and-outcome-unknown.md.
 */
public enum SideEffects {
    /** Read-only: calling it twice changes nothing. */
    NONE("none"),
    /** It changes something, but calling it again with the same input leaves the same state (a PUT, a set). */
    IDEMPOTENT("idempotent"),
    /** Each call may change something again (a payment, a message sent, a record created). */
    NON_IDEMPOTENT("non_idempotent");

    private final String wire;

    SideEffects(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** The value for its wire name, or null when there is none. */
    @JsonCreator
    public static SideEffects fromWire(String name) {
        for (SideEffects value : values()) {
            if (value.wire.equals(name)) {
                return value;
            }
        }
        return null;
    }
}

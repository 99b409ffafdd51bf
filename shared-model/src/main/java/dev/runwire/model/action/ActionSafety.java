package dev.runwire.model.action;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * What an action version declares about its safety, once, for every surface: its side effects, whether it destroys
 * something, and whether its provider honours the {@code Idempotency-Key} Runwire sends. It decides whether a call
 * whose outcome is unknown may be made again (the executor), whether a destructive call needs approval (an owner's
 * policy), and the hints tools carry (MCP annotations). See docs/adr/0035-action-safety-and-outcome-unknown.md.
 *
 * @param sideEffects
 *            none, idempotent or non_idempotent
 * @param destructive
 *            whether a call may delete or overwrite something
 * @param acceptsIdempotencyKey
 *            whether the provider honours the {@code Idempotency-Key} header: a repeat with the same key has no second
 *            effect
 */
public record ActionSafety(SideEffects sideEffects, boolean destructive, boolean acceptsIdempotencyKey) {

    /** What an action that declares nothing is taken to be: the worst case. */
    public static final ActionSafety DEFAULT = new ActionSafety(SideEffects.NON_IDEMPOTENT, true, false);

    public ActionSafety {
        if (sideEffects == null) {
            sideEffects = SideEffects.NON_IDEMPOTENT;
        }
    }

    /**
     * A declaration with the safe default for each part left out: non-idempotent; destructive unless it has no side
     * effects; a provider that does not honour the key.
     */
    public static ActionSafety of(SideEffects sideEffects, Boolean destructive, Boolean acceptsIdempotencyKey) {
        SideEffects effects = sideEffects == null ? SideEffects.NON_IDEMPOTENT : sideEffects;
        return new ActionSafety(effects, destructive == null ? effects != SideEffects.NONE : destructive,
                acceptsIdempotencyKey != null && acceptsIdempotencyKey);
    }

    /**
     * Whether a call that may have reached the provider can be made again without risking a second effect: the action
     * has no side effects or idempotent ones, or its provider recognises the repeat by its key.
     */
    @JsonIgnore
    public boolean repeatable() {
        return sideEffects != SideEffects.NON_IDEMPOTENT || acceptsIdempotencyKey;
    }

    /** MCP {@code readOnlyHint}. */
    @JsonIgnore
    public boolean readOnlyHint() {
        return sideEffects == SideEffects.NONE;
    }

    /** MCP {@code destructiveHint} (meaningful when not read-only). */
    @JsonIgnore
    public boolean destructiveHint() {
        return destructive;
    }

    /** MCP {@code idempotentHint}: a repeat with the same arguments has no further effect. */
    @JsonIgnore
    public boolean idempotentHint() {
        return sideEffects != SideEffects.NON_IDEMPOTENT;
    }

    /** MCP {@code openWorldHint}: every action reaches a third party's system. */
    @JsonIgnore
    public boolean openWorldHint() {
        return true;
    }
}

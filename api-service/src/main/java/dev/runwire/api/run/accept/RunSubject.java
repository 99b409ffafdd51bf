package dev.runwire.api.run.accept;

import java.util.UUID;

/**
 * The action a single-action run records as what it ran: a registry version, or a talkover agent action. Plan runs have
 * none (their steps name their actions).
 */
public record RunSubject(UUID actionId, String key, int version, String intent) {
}

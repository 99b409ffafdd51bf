package dev.runwire.executor.plan;

import java.time.Instant;

import dev.runwire.model.event.RunEvent;

/** Issues the approve and deny links an event asking for an approval carries (see the approval package). */
@FunctionalInterface
public interface ApprovalLinkIssuer {

    /** Links for the step (null: the run's start) and the hash of the input to approve (null for the start). */
    RunEvent.ApprovalLinks links(RunState run, String stepId, String inputHash, Instant now);
}

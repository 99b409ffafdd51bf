package dev.runwire.executor.approval;

import java.time.Duration;
import java.time.Instant;

import dev.runwire.executor.plan.ApprovalLinkIssuer;
import dev.runwire.executor.plan.RunState;
import dev.runwire.model.approval.ApprovalTokens;
import dev.runwire.model.event.RunEvent;

/**
 * The approve and deny links an event asking for an approval carries: two signed tokens bound to the run, the step
 * (none for the run's start) and the exact input, valid for the configured time. See docs/adr/0013-approvals.md.
 */
public final class ApprovalRequests implements ApprovalLinkIssuer {

    private final ApprovalTokens tokens;
    private final Duration ttl;

    public ApprovalRequests(ApprovalTokens tokens, Duration ttl) {
        this.tokens = tokens;
        this.ttl = ttl;
    }

    @Override
    public RunEvent.ApprovalLinks links(RunState run, String stepId, String inputHash, Instant now) {
        Instant expires = now.plus(ttl);
        return new RunEvent.ApprovalLinks(
                tokens.issue(new ApprovalTokens.Approval(run.ownerId(), run.runId(), stepId, ApprovalTokens.APPROVE,
                        inputHash, expires)),
                tokens.issue(new ApprovalTokens.Approval(run.ownerId(), run.runId(), stepId, ApprovalTokens.DENY,
                        inputHash, expires)),
                expires);
    }
}

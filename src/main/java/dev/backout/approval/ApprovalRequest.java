package dev.backout.approval;

import java.time.Instant;
import java.util.List;

import dev.backout.security.Role;

/**
 * What an incident asks approvers to approve, frozen when approval was requested.
 *
 * @param approvalKey the plan hash, combined with any steps to skip: what approvals bind to
 * @param clockStartedAt when the decision clock started (the detection time)
 * @param review what approvers read: decision path, pre-check results, the statements in order,
 * rows at stake (JSON)
 * @param previousReview what an earlier, now stale request showed (JSON), to show what changed
 * @param drivers everyone who took a commander action on the incident, per the trail: none of
 * them may approve it, whatever roles they hold
 */
public record ApprovalRequest(long incidentId, String runbookId, String runbookTitle, String runbookHash,
		String approvalKey, String targetName, String commander, Instant requestedAt, Instant clockStartedAt,
		Instant deadlineAt, List<Role> approvers, int approvalsNeeded, Role fallbackRole, Double fallbackShare,
		boolean commanderMayApprove, String leadUnreachableReason, String review, String previousReview,
		Status status, List<String> drivers) {

	public ApprovalRequest {
		drivers = (drivers != null) ? List.copyOf(drivers) : List.of();
	}

	public enum Status {

		OPEN, APPROVED, REJECTED, WITHDRAWN

	}

	public boolean open() {
		return this.status == Status.OPEN;
	}

}

package dev.backout.approval;

import java.time.Instant;

import dev.backout.security.Role;

/**
 * One approver's decision, bound to the runbook version and approval key it saw.
 */
public record Approval(long id, long incidentId, String approver, Role role, Decision decision, String comment,
		String runbookHash, String approvalKey, Instant createdAt) {

	public enum Decision {

		APPROVED, REJECTED

	}

	/**
	 * Whether this decision was made on what the request asks for now, in its current round: a
	 * request put again (after a rejection, or for a changed plan) asks everyone afresh.
	 */
	public boolean currentFor(ApprovalRequest request) {
		return this.runbookHash.equals(request.runbookHash()) && this.approvalKey.equals(request.approvalKey())
				&& !this.createdAt.isBefore(request.requestedAt());
	}

}
